"""The ``assistant`` command line: the same services as the HTTP API, for people and scripts."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli_common import ProjectOpt, console, err_console, fail, open_container
from api.container import Container
from assistant.auth.service import ADMIN_KEY_FILE, ensure_admin_key
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.documents.models import DocumentType
from assistant.errors import AssistantError
from assistant.jobs import repository as jobs_repo
from assistant.projects import repository as projects
from ingest.jobs import INGEST_QUEUE, Upload, folder_uploads, run_job, stage_job

app = typer.Typer(
    help="Requirements and risk assistant: ingest project documents, ask them questions, check requirements, "
    "keep the risk register. Settings come from ASSISTANT_* environment variables or .env.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
projects_app = typer.Typer(help="Create and list projects.", no_args_is_help=True)
documents_app = typer.Typer(help="List, delete and re-index documents.", no_args_is_help=True)
app.add_typer(projects_app, name="projects")
app.add_typer(documents_app, name="documents")


DEMO_DIR = Path(__file__).resolve().parents[1] / "demo" / "project"
DEMO_PROJECT = "demo"
DEMO_DESCRIPTION = "华东精密制造 ERP+MES+WMS 集成项目 (fictional demo project)"


@projects_app.command("create")
def projects_create(
    name: Annotated[str, typer.Argument(help="Project name (Chinese is fine).")],
    description: Annotated[str | None, typer.Option(help="One line about the project.")] = None,
) -> None:
    """Create a project and print its id."""
    container = open_container()
    try:
        with transaction(container.sessions) as session:
            project = projects.create_project(session, name=name, description=description)
            console.print(f"created project [bold]{project.id}[/bold] ({project.name})")
    except AssistantError as exc:
        raise fail(exc) from None


@projects_app.command("list")
def projects_list() -> None:
    """List projects with their document counts."""
    container = open_container()
    table = Table("id", "name", "documents")
    with transaction(container.sessions) as session:
        for p in projects.list_projects(session):
            counts = documents.count_documents(session, project_id=p.id)
            table.add_row(p.id, p.name, ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "-")
    console.print(table)


def ingest_paths(
    container: Container, project_ref: str, paths: list[Path], doc_type: DocumentType | None, *, create: bool
) -> int:
    """Ingest files and folders with a progress bar; returns the number of failed files."""
    ingestor = container.ingestor
    with transaction(container.sessions) as session:
        if create:
            project = projects.get_or_create_project(session, name=project_ref)
        else:
            project = projects.get_project(session, ref=project_ref)
        project_id = project.id
    uploads: list[Upload] = []
    for path in paths:
        if path.is_dir():
            uploads.extend(folder_uploads(path, ingestor))
        elif path.is_file():
            uploads.append(Upload(path.name, path.read_bytes()))
        else:
            uploads.append(Upload(str(path), b"", "no such file or folder"))
    job_id = stage_job(ingestor, project_id=project_id, uploads=uploads, doc_type=doc_type)
    with transaction(container.sessions) as session:
        total = len(jobs_repo.job_files(session, job_id=job_id))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task("indexing", total=total)

        def on_file(row: object) -> None:
            status = getattr(row, "status", "")
            progress.update(task, description=f"{status:9} {getattr(row, 'file_name', '')[-50:]}")
            if status in ("indexed", "unchanged", "failed"):
                progress.advance(task)

        run_job(ingestor, job_id, on_file=on_file)
    table = Table("file", "status", "reason / document")
    failed = 0
    with transaction(container.sessions) as session:
        job = jobs_repo.get_job(session, job_id=job_id)
        for f in jobs_repo.job_files(session, job_id=job_id):
            failed += f.status == "failed"
            colour = {"failed": "red", "indexed": "green", "unchanged": "cyan"}.get(f.status, "white")
            table.add_row(f.file_name, f"[{colour}]{f.status}[/{colour}]", f.reason or f.document_id or "")
        if job.error:
            err_console.print(f"[red]job failed:[/red] {job.error}")
    console.print(table)
    return failed


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or zip archives.")],
    project: ProjectOpt,
    doc_type: Annotated[
        DocumentType | None, typer.Option("--type", help="Override the detected type.")
    ] = None,
    create: Annotated[bool, typer.Option(help="Create the project if it does not exist.")] = True,
) -> None:
    """Read, split, embed and index documents into a project. Exit code 1 if any file failed."""
    container = open_container()
    try:
        failed = ingest_paths(container, project, paths, doc_type, create=create)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    raise typer.Exit(1 if failed else 0)


@documents_app.command("list")
def documents_list(project: ProjectOpt) -> None:
    """List a project's documents and their status."""
    container = open_container()
    try:
        with transaction(container.sessions) as session:
            p = projects.get_project(session, ref=project)
            table = Table("id", "file", "type", "lang", "status", "chunks", "reason")
            for d in documents.list_documents(session, project_id=p.id):
                table.add_row(
                    d.id,
                    d.file_name,
                    d.doc_type,
                    d.language or "",
                    d.status,
                    str(d.chunk_count),
                    d.reason or "",
                )
    except AssistantError as exc:
        raise fail(exc) from None
    console.print(table)


@documents_app.command("delete")
def documents_delete(document_id: str, project: ProjectOpt) -> None:
    """Delete a document (and its attachments) from the registry and both indexes."""
    from ingest import service

    container = open_container()
    try:
        with transaction(container.sessions) as session:
            project_id = projects.get_project(session, ref=project).id
        deleted = service.delete_document(container.ingestor, project_id, document_id)
    except AssistantError as exc:
        raise fail(exc) from None
    console.print(f"deleted {', '.join(deleted)}")


@documents_app.command("reindex")
def documents_reindex(project: ProjectOpt) -> None:
    """Re-read every stored original with the current chunking and embedding settings."""
    from ingest import service

    container = open_container()
    try:
        with transaction(container.sessions) as session:
            project_id = projects.get_project(session, ref=project).id
        job_id, count = service.submit_reindex(container.ingestor, container.background, project_id, None)
        console.print(f"re-indexing {count} documents (job {job_id}) ...")
        # Only the ingestion queue runs here; risk scans of the changed documents wait for the server.
        container.start_background([INGEST_QUEUE])
        container.background.wait_idle([INGEST_QUEUE], timeout=24 * 3600)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default ASSISTANT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ASSISTANT_PORT).")] = None,
) -> None:
    """Start the API and web page."""
    container = open_container()
    _serve(container, host, port)


def _serve(container: Container, host: str | None, port: int | None) -> None:
    import uvicorn

    from api.main import create_app

    host = host or container.settings.server.host
    port = port or container.settings.server.port
    fastapi_app = create_app(container=container)
    console.print(
        f"[bold green]Serving on http://{host}:{port}/[/bold green]  (API docs: http://{host}:{port}/docs)"
    )
    try:
        # A request still running at Ctrl-C gets a second; then the lifespan stops the rest (container.close).
        uvicorn.run(fastapi_app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1)
    finally:
        container.close()


def _announce_demo(container: Container, host: str | None, port: int | None) -> None:
    """The demo's address and the key to sign in with, together: the admin key made at the first start (or
    kept in ``<data dir>/admin.key`` since), so whoever ran `make demo` can open the page and sign in."""
    settings = container.settings
    url = f"http://{host or settings.server.host}:{port or settings.server.port}/#/p/{DEMO_PROJECT}"
    if not settings.access.enabled:
        console.print(f"[bold]Demo ready:[/bold] {url}  (authentication is off)")
        return
    key_file = settings.data_dir / ADMIN_KEY_FILE
    key = ensure_admin_key(container.sessions, settings.data_dir)
    if key is None and key_file.is_file():
        key = key_file.read_text(encoding="utf-8").strip()
    sign_in = (
        f"sign in with the admin key {key}  (kept in {key_file})"
        if key
        else "sign in with your API key (`assistant keys create --role admin ...` makes one)"
    )
    console.print(f"[bold]Demo ready:[/bold] open {url} and {sign_in}")


@app.command()
def demo(
    host: Annotated[str | None, typer.Option(help="Bind address (default ASSISTANT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ASSISTANT_PORT).")] = None,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server afterwards.")
    ] = True,
) -> None:
    """Ingest the bundled demo project (ERP + MES + WMS, Chinese and English) and start the server."""
    container = open_container()
    try:
        with transaction(container.sessions) as session:
            if session.get(projects.Project, DEMO_PROJECT) is None:
                projects.create_project(session, name=DEMO_PROJECT, description=DEMO_DESCRIPTION)
        failed = ingest_paths(container, DEMO_PROJECT, [DEMO_DIR], None, create=False)
    except AssistantError as exc:
        raise fail(exc) from None
    if failed:
        err_console.print(f"[yellow]{failed} demo file(s) failed; see the table above[/yellow]")
    if serve_after:
        _announce_demo(container, host, port)
        _serve(container, host, port)
    else:
        container.close()


def _register_commands() -> None:
    from api.cli_analysis import ask, five_why, requirements_app
    from api.cli_keys import audit_export, keys_app
    from api.cli_plans import plans_app
    from api.cli_risks import risks_app
    from api.cli_search import search
    from api.cli_trace import trace

    app.command("search")(search)
    app.command("ask")(ask)
    app.command("five-why")(five_why)
    app.add_typer(requirements_app, name="requirements")
    app.add_typer(risks_app, name="risks")
    app.add_typer(keys_app, name="keys")
    app.command("audit")(audit_export)
    app.command("trace")(trace)
    app.add_typer(plans_app, name="plan")


_register_commands()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    app()
