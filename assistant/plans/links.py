"""What a plan links from the project's other stores: the register's risks, the requirement store and the
5-Why root needs. Read by code; the model never sees or writes these."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from assistant.five_why import service as five_why
from assistant.plans.evidence import Passages, locate
from assistant.plans.facts import PlanNeed, PlanRequirement, PlanRisk
from assistant.requirements import repository as requirement_store
from assistant.risks import repository as register
from assistant.risks.lifecycle import RiskStatus
from assistant.risks.models import format_ref

# Risks a plan answers: every one still alive in the register (drafts included: a person has not yet ruled
# them out); rejected and closed ones no longer bear on the work.
LINKED_STATUSES = tuple(s.value for s in RiskStatus if s not in (RiskStatus.rejected, RiskStatus.closed))
# Requirements the store may hold for one project; a plan lists them all (the traceability matrix needs every
# one), so the ceiling is only a guard against a runaway extraction.
MAX_REQUIREMENTS = 2000


def risks(session: Session, *, project_id: str) -> list[PlanRisk]:
    """Highest score first, then by id."""
    rows = register.risks_in_statuses(session, project_id=project_id, statuses=LINKED_STATUSES)
    rows.sort(key=lambda r: (-r.score, r.number))
    return [PlanRisk(risk_id=r.number, ref=format_ref(r.number), title=r.title, band=r.band) for r in rows]


def requirements(session: Session, *, project_id: str, passages: Passages) -> list[PlanRequirement]:
    """Each requirement once, by the id the documents write (REQ-007, FR-012) or, without one, by its
    statement; the first document's wording wins. Evidence is the passage holding the statement, verbatim."""
    rows, _ = requirement_store.list_requirements(session, project_id=project_id, limit=MAX_REQUIREMENTS)
    out: dict[str, PlanRequirement] = {}
    for row in rows:
        key = row.ref or " ".join(row.text.lower().split())
        if key in out:
            continue
        found = locate(passages, row.document_id, row.text)
        out[key] = PlanRequirement(
            requirement_id=row.ref or row.id,
            text=row.text,
            kind=row.kind,
            quality_class=row.quality_class,
            evidence=[found] if found is not None else [],
        )
    return list(out.values())


def needs(session: Session, *, project_id: str, five_why_ids: Sequence[str]) -> list[PlanNeed]:
    """The root need of each analysis; an id that is not the project's is a NotFoundError naming it."""
    out = []
    for analysis_id in dict.fromkeys(five_why_ids):
        analysis = five_why.get_analysis(session, project_id=project_id, analysis_id=analysis_id)
        if analysis.root_need.strip():
            out.append(PlanNeed(analysis_id=analysis.id, need=analysis.root_need.strip()))
    return out
