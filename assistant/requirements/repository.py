"""All SQL for stored requirements."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.requirements.models import CheckedRequirement
from assistant.requirements.records import RequirementRecord


def replace_document_requirements(
    session: Session,
    *,
    project_id: str,
    document_id: str,
    items: list[tuple[CheckedRequirement, int | None, str | None]],
) -> list[RequirementRecord]:
    """A document's requirements are replaced whole when it is checked again (one transaction)."""
    session.execute(delete(RequirementRecord).where(RequirementRecord.document_id == document_id))
    rows = [
        RequirementRecord(
            id="req_" + uuid.uuid4().hex[:16],
            project_id=project_id,
            document_id=document_id,
            position=i,
            ref=req.id,
            text=req.text,
            language=req.language,
            kind=req.kind,
            quality_class=req.quality_class,
            confidence=req.confidence,
            score=req.score,
            findings=[f.model_dump(mode="json") for f in req.findings],
            rewrite=req.rewrite,
            acceptance_criteria=req.acceptance_criteria,
            page=page,
            section=section,
        )
        for i, (req, page, section) in enumerate(items)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def list_requirements(
    session: Session,
    *,
    project_id: str,
    document_id: str | None = None,
    kind: str | None = None,
    quality_class: str | None = None,
    max_score: int | None = None,
    rule: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> tuple[list[RequirementRecord], int]:
    query = select(RequirementRecord).where(RequirementRecord.project_id == project_id)
    if document_id:
        query = query.where(RequirementRecord.document_id == document_id)
    if kind:
        query = query.where(RequirementRecord.kind == kind)
    if quality_class:
        query = query.where(RequirementRecord.quality_class == quality_class)
    if max_score is not None:
        query = query.where(RequirementRecord.score <= max_score)
    rows = list(session.scalars(query.order_by(RequirementRecord.document_id, RequirementRecord.position)))
    if rule:
        rows = [r for r in rows if any(f.get("rule") == rule for f in r.findings)]
    return rows[offset : offset + limit], len(rows)


def update_from_check(session: Session, *, record_id: str, requirement: CheckedRequirement) -> None:
    row = session.get(RequirementRecord, record_id)
    if row is None:
        return
    row.score = requirement.score
    row.findings = [f.model_dump(mode="json") for f in requirement.findings]
    row.rewrite = requirement.rewrite
    row.acceptance_criteria = requirement.acceptance_criteria
