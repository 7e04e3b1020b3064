"""All SQL for 5-Why analyses."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.errors import NotFoundError
from assistant.five_why.models import FiveWhyAnalysis


def save_analysis(
    session: Session,
    *,
    project_id: str,
    statement: str,
    context: str | None,
    language: str,
    result: dict,
    actor: str,
) -> FiveWhyAnalysis:
    row = FiveWhyAnalysis(
        id="why_" + uuid.uuid4().hex[:16],
        project_id=project_id,
        statement=statement,
        context=context,
        language=language,
        result=result,
        actor=actor,
    )
    session.add(row)
    session.flush()
    return row


def get_analysis(session: Session, *, project_id: str, analysis_id: str) -> FiveWhyAnalysis:
    row = session.get(FiveWhyAnalysis, analysis_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no 5-Why analysis {analysis_id!r} in project {project_id!r}")
    return row


def list_analyses(
    session: Session, *, project_id: str, limit: int = 50, offset: int = 0
) -> tuple[list[FiveWhyAnalysis], int]:
    query = select(FiveWhyAnalysis).where(FiveWhyAnalysis.project_id == project_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(FiveWhyAnalysis.created_at.desc()).limit(limit).offset(offset))
    return list(rows), total
