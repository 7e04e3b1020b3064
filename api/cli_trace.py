"""``assistant trace``: the requirement traceability matrix (需求跟踪矩阵) from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import ProjectOpt, deliver, fail, open_project
from assistant.db import transaction
from assistant.errors import AssistantError
from assistant.traceability import exports, service


def trace(
    project: ProjectOpt,
    fmt: Annotated[exports.TraceFormat, typer.Option("--format", "-f", help="csv, xlsx or json.")] = (
        exports.TraceFormat.csv
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """The traceability matrix: each requirement with its interfaces, tests, risks, root needs and gaps,
    traced to the latest ready plan (XLSX needs --output)."""
    if fmt is exports.TraceFormat.xlsx and output is None:
        raise typer.BadParameter("xlsx is binary: give --output FILE.xlsx")
    container, project_id = open_project(project)
    try:
        with transaction(container.sessions) as session:
            out = service.export(session, project_id=project_id or "", fmt=fmt)
    except AssistantError as exc:
        raise fail(exc) from None
    finally:
        container.close()
    deliver(out.content, output)
