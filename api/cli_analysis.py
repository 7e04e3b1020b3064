"""``assistant ask``, ``assistant five-why`` and ``assistant requirements check``: the analysis commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import JsonOpt, ProjectOpt, console, err_console, fail, open_project
from assistant.db import transaction
from assistant.errors import AssistantError
from assistant.five_why import service as five_why_service
from assistant.five_why.pipeline import RESULT_FIELDS
from assistant.providers.llm import structured_method
from assistant.qa.service import ask_project
from assistant.requirements.service import check_requirements

requirements_app = typer.Typer(help="Find and check requirement statements.", no_args_is_help=True)


def ask(
    question: Annotated[str, typer.Argument(help="The question, Chinese or English.")],
    project: ProjectOpt,
    top_k: Annotated[
        int, typer.Option("--top-k", "-k", min=1, max=20, help="Passages offered to the model.")
    ] = 6,
    as_json: JsonOpt = False,
    stream: Annotated[
        bool, typer.Option("--stream/--no-stream", help="Show the answer while the model writes it.")
    ] = True,
) -> None:
    """Answer a question from the project's documents, with checked citations (or say they do not answer it)."""
    container, project_id = open_project(project)
    streamed: list[str] = []

    def show(text: str) -> None:
        streamed.append(text)
        console.print(text, end="", markup=False, highlight=False)

    try:
        out = ask_project(
            question,
            llm=container.chat_model,
            search=lambda q: container.search(project_id or "", q, top_k=top_k, for_answer=True).results,
            embeddings=container.embeddings,
            settings=container.settings,
            on_token=show if stream and not as_json else None,
        )
    except AssistantError as exc:
        if streamed:
            console.print()
        raise fail(exc) from None
    finally:
        container.close()
    if as_json:
        console.print_json(out.model_dump_json())
        return
    if streamed:
        console.print()
    if "".join(streamed).strip() != out.answer.strip():  # the checked answer (flags, or a refusal) differs
        console.print(("[yellow]" if out.refused else "[bold]") + out.answer)
    table = Table(
        "n", "file", "page / section", "supported", "quote", title="citations" if out.citations else None
    )
    rows = out.citations or []
    for c in rows:
        where = f"p.{c.page}" if c.page else (c.section or "")
        table.add_row(str(c.n), c.file_name, where, "yes" if c.supported else "[red]no[/red]", c.quote[:120])
    if rows:
        console.print(table)
        console.print(f"{out.citations_supported} of {out.citations_checked} citations held")
    elif out.refused and out.passages:
        console.print("closest passages:")
        for p in out.passages[:3]:
            console.print(f"  {p.file_name}: {' '.join(p.text.split())[:160]}")
    console.print(f"[dim]{out.timing.total_ms / 1000:.1f} s[/dim]")


def five_why(
    statement: Annotated[str, typer.Argument(help="The stated request, e.g. 希望门店收银更快.")],
    project: ProjectOpt,
    context: Annotated[str | None, typer.Option(help="Background from the analyst.")] = None,
    as_json: JsonOpt = False,
    stream: Annotated[
        bool, typer.Option("--stream/--no-stream", help="Show each round while the model writes it.")
    ] = True,
) -> None:
    """Run a 5-Why analysis of a stated request against the project's documents and store it."""
    container, project_id = open_project(project)
    shown: list[int] = []

    def show(n: int, question: str, answer: str) -> None:
        shown.append(n)
        console.print(f"[bold]{n}. {question}[/bold]\n   {answer}", highlight=False)

    try:
        with transaction(container.sessions) as session:
            outcome = five_why_service.analyse_request(
                session,
                project_id=project_id or "",
                statement=statement,
                context=context,
                llm=container.chat_model,
                search=lambda q: (
                    container.search(
                        project_id or "", q, top_k=five_why_service.PASSAGES_PER_ROUND, for_answer=True
                    ).results
                ),
                embed=container.embeddings.embed_array,
                method=structured_method(container.settings),
                actor="cli",
                on_why=show if stream and not as_json else None,
            )
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    if as_json:
        console.print_json(outcome.model_dump_json(include={"id", *RESULT_FIELDS}))
        return
    sources = [
        why.citations[0].file_name if why.citations and not why.assumption else "[yellow]assumption[/yellow]"
        for why in outcome.whys
    ]
    if shown:  # the rounds are on screen already: say what the documents back
        console.print("checked: " + " · ".join(f"{i} {s}" for i, s in enumerate(sources, 1)))
    else:
        for i, (why, source) in enumerate(zip(outcome.whys, sources, strict=True), 1):
            console.print(f"[bold]{i}. {why.question}[/bold]\n   {why.answer}  ({source})")
    console.print(f"[bold green]root need:[/bold green] {outcome.root_need}")
    for req in outcome.requirements:
        console.print(f"  - {req.text} [dim](score {req.score})[/dim]")
    for q in outcome.open_questions:
        console.print(f"  ? {q}")
    console.print(f"confidence {outcome.confidence:.2f} · stored as {outcome.id}")


@requirements_app.command("check")
def requirements_check(
    file: Annotated[Path | None, typer.Argument(help="A text or Markdown file to check.")] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="Statements to check, instead of a file.")
    ] = None,
    document_id: Annotated[
        str | None, typer.Option("--document", help="An indexed document (needs -p).")
    ] = None,
    project: Annotated[str | None, typer.Option("--project", "-p", help="Project id or name.")] = None,
    use_llm: Annotated[
        bool, typer.Option("--llm", help="Let the LLM rewrite the weakest statements.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Find requirement statements and check them against the quality rules (Chinese and English)."""
    sources = [s for s in (file, text, document_id) if s]
    if len(sources) != 1:
        err_console.print("[red]error:[/red] give exactly one of FILE, --text or --document")
        raise typer.Exit(2)
    if document_id and not project:
        err_console.print("[red]error:[/red] --document needs --project")
        raise typer.Exit(2)
    container, project_id = open_project(project)
    try:
        with transaction(container.sessions) as session:
            report = check_requirements(
                session,
                project_id=project_id,
                text=None if document_id else (text if text is not None else _read_text(file)),
                document_id=document_id,
                embed=container.classifier_embeds,
                llm=container.chat_model if use_llm else None,
                method=structured_method(container.settings),
            )
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    if as_json:
        console.print_json(
            json.dumps([i.requirement.model_dump(mode="json") for i in report.items], ensure_ascii=False)
        )
        return
    table = Table("id", "score", "class", "findings", "text")
    for n, item in enumerate(report.items, 1):
        r = item.requirement
        findings = "; ".join(f"{f.rule}: {', '.join(f.words)}" for f in r.findings)
        table.add_row(r.id or f"R{n}", str(r.score), r.quality_class or r.kind, findings, r.text[:100])
    console.print(table)
    for c in report.contradictions:
        console.print(f"[red]contradiction[/red] R{c.a + 1} vs R{c.b + 1}: {c.reason}")
    for d in report.duplicates:
        console.print(f"[yellow]duplicate[/yellow] R{d.a + 1} ~ R{d.b + 1}: {d.reason}")


def _read_text(path: Path | None) -> str:
    if path is None or not path.is_file():
        err_console.print(f"[red]error:[/red] no such file: {path}")
        raise typer.Exit(2)
    from ingest.readers import UnreadableFile, read_document

    try:
        result = read_document(path.name, path.read_bytes())
    except UnreadableFile as exc:
        err_console.print(f"[red]error:[/red] {path.name}: {exc}")
        raise typer.Exit(1) from None
    return "\n".join(s.text for s in result.segments)
