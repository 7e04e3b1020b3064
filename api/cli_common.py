"""What every ``assistant`` command shares: its consoles, how it opens the product and how it fails."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.container import Container
from assistant.db import transaction
from assistant.errors import AssistantError
from assistant.projects import repository as projects
from assistant.settings import load_settings

console = Console()
err_console = Console(stderr=True)

ProjectOpt = Annotated[str, typer.Option("--project", "-p", help="Project id or name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")]


def make_container() -> Container:
    """The product as the ASSISTANT_* settings describe it. Tests replace this one function to give the
    commands fake models."""
    return Container(load_settings())


def fail(exc: AssistantError) -> typer.Exit:
    """Print the error's sentence; exit code 1."""
    err_console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(1)


def open_container() -> Container:
    """A bad setting is exit code 2 with the sentence naming the variable."""
    try:
        return make_container()
    except AssistantError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def open_project(project: str | None) -> tuple[Container, str | None]:
    """The container and the project's id (None when no project was named); an unknown project is exit 1."""
    container = open_container()
    if project is None:
        return container, None
    try:
        with transaction(container.sessions) as session:
            return container, projects.get_project(session, ref=project).id
    except AssistantError as exc:
        container.close()
        raise fail(exc) from None


def deliver(content: bytes, output: Path | None) -> None:
    """An export to ``output``, or to standard output (bytes as they are, for pipes) when none is named."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(content)
        err_console.print(f"wrote {output} ({len(content)} bytes)")
