"""``assistant search``: the ranked passages of a project for a question, as a table."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import console, err_console, fail, open_project
from assistant.documents.models import DocumentType
from assistant.errors import AssistantError
from assistant.retrieval.models import SearchFilters


def _snippet(text: str, width: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def search(
    query: Annotated[str, typer.Argument(help="Question or keywords, Chinese or English.")],
    project: Annotated[str, typer.Option("--project", "-p", help="Project id or name.")],
    top_k: Annotated[
        int | None, typer.Option("--top-k", "-k", min=1, max=100, help="Passages to show.")
    ] = None,
    doc_type: Annotated[
        list[DocumentType] | None, typer.Option("--type", help="Only this type (repeatable).")
    ] = None,
    file_name: Annotated[
        list[str] | None, typer.Option("--file", help="Only this file (repeatable).")
    ] = None,
    date_from: Annotated[
        dt.datetime | None, typer.Option(help="Documents dated on or after (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[
        dt.datetime | None, typer.Option(help="Documents dated on or before (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Search a project's documents (hybrid vector + keyword) and print the ranked passages."""
    container, project_id = open_project(project)
    try:
        filters = SearchFilters(
            doc_types=doc_type or None,
            file_names=file_name or None,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
        )
        response = container.search(project_id or "", query, top_k=top_k, filters=filters)
    except AssistantError as exc:
        raise fail(exc) from None
    except ValueError as exc:  # a filter pydantic refuses (dates in the wrong order)
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        container.close()
    if response.query_translation:
        console.print(f"also searched: [italic]{response.query_translation}[/italic]")
    table = Table("#", "score", "relevance")
    # File names stay whole (people copy them); the passage column gives way in a narrow terminal.
    table.add_column("file", no_wrap=True)
    table.add_column("page / section", max_width=30)
    table.add_column("passage", ratio=1)
    for i, r in enumerate(response.results, start=1):
        where = f"p. {r.page}" if r.page is not None else (r.section or "")
        table.add_row(str(i), f"{r.score:.4f}", f"{r.relevance:.2f}", r.file_name, where, _snippet(r.text))
    console.print(table)
    if not response.relevant:
        console.print("[yellow]nothing clearly relevant was found[/yellow]")
