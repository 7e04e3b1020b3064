"""``assistant risks list|show|export|scan|notify``: the register from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import ProjectOpt, console, deliver, err_console, fail, open_project
from assistant.db import transaction
from assistant.errors import AssistantError, InvalidInputError
from assistant.risks import exports, service
from assistant.risks import repository as repo
from assistant.risks.filters import parse_filters
from assistant.risks.schemas import ScanReport

risks_app = typer.Typer(
    help="The risk register: list, show, export and scan for risks.", no_args_is_help=True
)

BAND_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "green"}


def _query(
    status: list[str] | None,
    category: list[str] | None,
    band: list[str] | None,
    owner: str | None,
    overdue: bool | None,
    document: str | None,
    sort: str,
    limit: int,
) -> repo.RiskQuery:
    """The filter options as the route reads its query parameters; a bad value is a usage error (exit 2)."""
    try:
        return parse_filters(
            status=status,
            category=category,
            band=band,
            owner=owner,
            overdue=overdue,
            document_id=document,
            sort=sort,
            limit=limit,
        )
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc)) from None


StatusOpt = Annotated[list[str] | None, typer.Option("--status", help="Status (repeat or comma-separate).")]
CategoryOpt = Annotated[list[str] | None, typer.Option("--category", help="Category slug.")]
BandOpt = Annotated[list[str] | None, typer.Option("--band", help="low, medium, high or critical.")]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Exact owner.")]
OverdueOpt = Annotated[
    bool | None, typer.Option("--overdue/--not-overdue", help="Only (or no) overdue reviews.")
]
DocumentOpt = Annotated[
    str | None, typer.Option("--document", help="Risks with evidence from this document id.")
]


@risks_app.command("list")
def list_cmd(
    project: ProjectOpt,
    status: StatusOpt = None,
    category: CategoryOpt = None,
    band: BandOpt = None,
    owner: OwnerOpt = None,
    overdue: OverdueOpt = None,
    document: DocumentOpt = None,
    sort: Annotated[str, typer.Option(help="e.g. -score, next_review, -updated_at.")] = "-score",
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 200,
) -> None:
    """List risks, highest score first."""
    container, project_id = open_project(project)
    try:
        query = _query(status, category, band, owner, overdue, document, sort, limit)
        with transaction(container.sessions) as session:
            result = service.list_risks(session, project_id=project_id or "", query=query)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    table = Table(
        "id", "title", "status", "category", "P", "I", "score", "band", "owner", "review", "evidence"
    )
    for r in result.items:
        style = BAND_STYLE[r.band.value]
        review = f"[red]{r.next_review} overdue[/red]" if r.overdue else str(r.next_review or "")
        table.add_row(
            r.id,
            r.title,
            r.status.value,
            r.category,
            str(r.probability),
            str(r.impact),
            str(r.score),
            f"[{style}]{r.band.value}[/{style}]",
            r.owner or "",
            review,
            str(r.evidence_count),
        )
    console.print(table)
    console.print(f"{len(result.items)} of {result.total} risks")


@risks_app.command("show")
def show_cmd(risk_id: Annotated[str, typer.Argument(help="RSK-0001 style id.")], project: ProjectOpt) -> None:
    """One risk with its evidence, mitigation actions and history."""
    container, project_id = open_project(project)
    try:
        with transaction(container.sessions) as session:
            d = service.detail(session, project_id=project_id or "", ref=risk_id)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    style = BAND_STYLE[d.band.value]
    console.print(f"[bold]{d.id}[/bold] {d.title}  (version {d.version})")
    console.print(
        f"status {d.status.value} | {d.type} | {d.category} | P{d.probability} x I{d.impact} = {d.score} "
        f"[{style}]{d.band.value}[/{style}] | source {d.source} | owner {d.owner or '-'}"
    )
    if d.residual_score is not None:
        console.print(f"residual P{d.residual_probability} x I{d.residual_impact} = {d.residual_score}")
    for label, value in (
        ("cause", d.cause),
        ("event", d.event),
        ("effect", d.effect),
        ("response", d.response),
        ("contingency", d.contingency),
        ("trigger", d.trigger),
        ("next review", d.next_review),
    ):
        if value:
            console.print(f"  {label}: {value}")
    if d.actions:
        console.print("[bold]Mitigation actions[/bold]")
        for a in d.actions:
            console.print(
                f"  [{a.id}] {a.description} ({a.owner or '-'}, due {a.due_date or '-'}, {a.status})"
            )
    if d.evidence:
        console.print("[bold]Evidence[/bold]")
        for e in d.evidence:
            where = (e.file_name or e.document_id or "") + (f" p.{e.page}" if e.page is not None else "")
            console.print(f"  “{e.quote}” — {where}")
    table = Table("at", "actor", "kind", "field", "old", "new", "note", title="History")
    for h in d.history:
        table.add_row(
            h.at.strftime("%Y-%m-%d %H:%M"),
            h.actor,
            h.kind,
            h.field or "",
            h.old_value or "",
            h.new_value or "",
            h.note or "",
        )
    console.print(table)


@risks_app.command("export")
def export_cmd(
    project: ProjectOpt,
    fmt: Annotated[exports.ExportFormat, typer.Option("--format", "-f", help="csv, xlsx, md or jira.")] = (
        exports.ExportFormat.csv
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    status: StatusOpt = None,
    category: CategoryOpt = None,
    band: BandOpt = None,
    owner: OwnerOpt = None,
    overdue: OverdueOpt = None,
    document: DocumentOpt = None,
) -> None:
    """Export the register (XLSX needs --output)."""
    if fmt is exports.ExportFormat.xlsx and output is None:
        raise typer.BadParameter("xlsx is binary: give --output FILE.xlsx")
    container, project_id = open_project(project)
    try:
        query = _query(status, category, band, owner, overdue, document, "id", 1)
        with transaction(container.sessions) as session:
            out = service.export(session, project_id=project_id or "", fmt=fmt, query=query)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    deliver(out.content, output)


def print_report(report: ScanReport) -> None:
    table = Table("measure", "value", title=f"Risk scan of {report.documents} document(s)")
    for name in (
        "passages_seen",
        "passages_with_cues",
        "passages_already_scanned",
        "passages_over_cap",
        "passages_sent",
        "llm_calls",
        "prompt_tokens",
        "completion_tokens",
        "findings",
        "dropped_bad_quote",
        "duplicates",
        "drafts_created",
        "merges",
        "suggestions",
        "notifications",
        "seconds",
    ):
        table.add_row(name, str(getattr(report, name)))
    console.print(table)
    if report.created_ids:
        console.print("new drafts: " + ", ".join(report.created_ids))
    if report.merged_ids:
        console.print("evidence added to: " + ", ".join(report.merged_ids))
    for error in report.errors:
        err_console.print(f"[yellow]batch failed (will be retried next scan):[/yellow] {error}")


@risks_app.command("scan")
def scan_cmd(
    project: ProjectOpt,
    document: Annotated[
        str | None, typer.Option("--document", "-d", help="One document id (default: all).")
    ] = None,
) -> None:
    """Scan documents for risks with the LLM: new ones become drafts, repeated ones add evidence."""
    container, project_id = open_project(project)
    try:
        report = service.scan_risks(
            container.scan_context(), project_id=project_id or "", document_id=document
        )
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    print_report(report)


@risks_app.command("notify")
def notify_cmd(
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Project id or name (default: all).")
    ] = None,
    retry_failed: Annotated[bool, typer.Option(help="Also send notifications that failed before.")] = False,
) -> None:
    """Send pending webhook notifications now (and, with --retry-failed, the failed ones again)."""
    container, project_id = open_project(project or None)
    try:
        results = service.notify(
            container.sessions,
            container.settings.risk,
            project_id=project_id,
            transport=container.webhook_transport,
            retry_failed=retry_failed,
        )
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    failed = [r for r in results if not r.ok]
    console.print(f"{len(results) - len(failed)} delivered, {len(failed)} failed")
    for r in failed:
        err_console.print(f"[red]notification {r.notification_id}:[/red] {r.error}")
    raise typer.Exit(1 if failed else 0)
