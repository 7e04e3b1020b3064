"""The traceability matrix's use cases: read it, export it. Routes and the command line call these."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from assistant.projects import repository as projects
from assistant.traceability import builder, exports
from assistant.traceability.schemas import TraceabilityMatrix


def matrix(session: Session, *, project_id: str) -> TraceabilityMatrix:
    """The project's matrix (project by id or name), traced to its latest ready plan."""
    project = projects.get_project(session, ref=project_id)
    return builder.build_matrix(session, project.id)


def export(
    session: Session, *, project_id: str, fmt: exports.TraceFormat, on: dt.date | None = None
) -> exports.Exported:
    """The matrix as a file in ``fmt`` (json, csv or xlsx), named after the project and the day."""
    return exports.render(matrix(session, project_id=project_id), fmt, on=on or dt.date.today())
