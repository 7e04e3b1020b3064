"""``assistant plan draft|list|show|export``: integration plans from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import (
    JsonOpt,
    ProjectOpt,
    console,
    deliver,
    err_console,
    fail,
    open_container,
    open_project,
)
from api.routes.plans import register_drafting
from assistant.db import transaction
from assistant.errors import AssistantError
from assistant.plans import jobs, service
from assistant.plans.exports import PlanExportFormat
from assistant.plans.schemas import PlanCreate, PlanDetail

plans_app = typer.Typer(help="Integration plans: draft one from a project's documents, list, show, export.")

CLI_ACTOR = "cli"
# How long --wait waits for the draft (the local model on two cores takes minutes, not hours).
WAIT_S = 3600.0


@plans_app.command("draft")
def draft_cmd(
    project: ProjectOpt,
    title: Annotated[str | None, typer.Option(help="Title (default: from the project's name).")] = None,
    language: Annotated[
        str | None, typer.Option(help="zh or en (default: the project's main language).")
    ] = None,
    five_why: Annotated[
        list[str] | None,
        typer.Option("--five-why", help="A 5-Why analysis id whose root need the plan answers."),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Draft here and now, and show the plan (else the server drafts it)."),
    ] = False,
) -> None:
    """Start drafting a plan; with --wait, draft it in this process and show it."""
    try:
        data = PlanCreate.model_validate(
            {"title": title, "language": language, "five_why_ids": five_why or []}
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    container, project_id = open_project(project)
    try:
        register_drafting(container)
        accepted = service.request_draft(
            container.sessions,
            container.background,
            project_id=project_id or "",
            data=data,
            actor=CLI_ACTOR,
            # Without --wait this process does not draft: the server's model is the one that must be there.
            ensure_model=(lambda: container.chat_model) if wait else (lambda: None),
        )
        console.print(f"plan [bold]{accepted.plan_id}[/bold] (job {accepted.job_id})")
        if not wait:
            err_console.print(
                "queued: the server (`assistant serve`) drafts it; `assistant plan show` tells when"
            )
            return
        err_console.print("drafting ...")
        container.start_background([jobs.PLAN_QUEUE])
        container.background.wait_idle([jobs.PLAN_QUEUE], timeout=WAIT_S)
        with transaction(container.sessions) as session:
            plan = service.find_plan(session, plan_id=accepted.plan_id)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    print_plan(plan)
    if plan.status != "ready":
        raise typer.Exit(1)


@plans_app.command("list")
def list_cmd(project: ProjectOpt) -> None:
    """A project's plans, newest first."""
    container, project_id = open_project(project)
    try:
        with transaction(container.sessions) as session:
            plans = service.list_plans(session, project_id=project_id or "", limit=200)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    table = Table("status", "v", "lang", "title", "interfaces", "tests", "updated")
    table.add_column("id", no_wrap=True)  # what `plan show` and `plan export` take: never cut
    for p in plans.items:
        table.add_row(
            p.status,
            str(p.version),
            p.language,
            p.title,
            str(len(p.interfaces)),
            str(len(p.tests)),
            p.updated_at.strftime("%Y-%m-%d %H:%M"),
            p.id,
        )
    console.print(table)
    console.print(f"{plans.total} plan(s)")


@plans_app.command("show")
def show_cmd(
    plan_id: Annotated[str, typer.Argument(help="The plan's id (plan_...).")], as_json: JsonOpt = False
) -> None:
    """One plan: its interfaces, phases, tests, cut-over, risks and open questions."""
    container = open_container()
    try:
        with transaction(container.sessions) as session:
            plan = service.find_plan(session, plan_id=plan_id)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    if as_json:
        console.print_json(plan.model_dump_json())
        return
    print_plan(plan)


def _mark(proposed: bool) -> str:
    return "[yellow]proposed[/yellow]" if proposed else "stated"


def print_plan(plan: PlanDetail) -> None:
    console.print(f"[bold]{plan.title}[/bold]  {plan.id} v{plan.version}  {plan.status}  ({plan.project_id})")
    if plan.reason:
        console.print(f"[red]{plan.reason}[/red]")
    interfaces = Table(
        "id", "source", "target", "protocol", "data", "frequency", "owner", "basis", title="Interfaces"
    )
    for i in plan.interfaces:
        interfaces.add_row(
            i.id, i.source or "", i.target or "", i.protocol or "", i.data or "", i.frequency or "", i.owner or "",
            _mark(i.proposed),
        )  # fmt: skip
    console.print(interfaces)
    phases = Table("phase / milestone", "start", "end / date", "basis", title="Phases")
    for p in plan.phases:
        phases.add_row(p.name, str(p.start or ""), str(p.end or ""), _mark(p.proposed))
        for m in p.milestones:
            phases.add_row(f"  {m.name}", "", str(m.date or ""), _mark(m.proposed))
    for m in plan.milestones:
        phases.add_row(m.name, "", str(m.date or ""), _mark(m.proposed))
    console.print(phases)
    tests = Table("id", "level", "title", "requirements", "interfaces", title="Tests")
    for t in plan.tests:
        tests.add_row(t.id, t.level.value, t.title, ", ".join(t.requirements), ", ".join(t.interfaces))
    console.print(tests)
    cutover = Table("stage / trigger", "date / threshold", "basis", title="Cut-over")
    for s in plan.cutover.stages:
        cutover.add_row(s.name, str(s.date or ""), _mark(s.proposed))
    for r in plan.cutover.rollback_triggers:
        cutover.add_row(r.condition, r.threshold or "", _mark(r.proposed))
    console.print(cutover)
    if plan.cutover.rollback_procedure:
        console.print(
            f"rollback ({_mark(plan.cutover.rollback_procedure_proposed)}): {plan.cutover.rollback_procedure}"
        )
    if plan.risks:
        console.print("risks: " + ", ".join(f"{r.ref or r.risk_id} {r.title} ({r.band})" for r in plan.risks))
    for q in plan.open_questions:
        console.print(f"? {q.question}", highlight=False)
    pending = [s for s in plan.suggestions if s.status == "pending"]
    if pending:
        console.print(
            f"{len(pending)} suggestion(s) wait for a decision (GET the plan over HTTP to see them)"
        )
    if plan.draft_stats:
        d = plan.draft_stats
        err_console.print(
            f"last draft: {d.seconds:.1f} s, {d.llm_calls} LLM call(s), {d.prompt_tokens} prompt tokens"
        )


@plans_app.command("export")
def export_cmd(
    plan_id: Annotated[str, typer.Argument(help="The plan's id (plan_...).")],
    fmt: Annotated[
        PlanExportFormat, typer.Option("--format", "-f", help="md, docx or xlsx.")
    ] = PlanExportFormat.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Export a plan (DOCX and XLSX need --output)."""
    if fmt is not PlanExportFormat.md and output is None:
        raise typer.BadParameter(f"{fmt.value} is binary: give --output FILE.{fmt.value}")
    container = open_container()
    try:
        with transaction(container.sessions) as session:
            project_id = service.find_plan(session, plan_id=plan_id).project_id
            out = service.export_plan(session, project_id=project_id, plan_id=plan_id, fmt=fmt)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    deliver(out.content, output)
