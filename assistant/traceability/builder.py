"""Building the traceability matrix: one row per requirement of the requirement store, traced to the plan's
interfaces and tests, the register's risks and the 5-Why root needs; and the interfaces no requirement names.

The rules that decide each link live in ``matching``; this module gathers the inputs and applies them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from assistant.documents import repository as documents
from assistant.documents.models import Document
from assistant.five_why import repository as five_why_store
from assistant.five_why.service import public as five_why_public
from assistant.plans import repository as plans
from assistant.plans.facts import PlanNeed
from assistant.plans.schemas import PlanPublic, PlanStatus
from assistant.plans.service import main_language  # the plan's default language: one rule for both
from assistant.plans.views import to_public
from assistant.requirements import repository as requirement_store
from assistant.requirements.consistency import normalise, tokens
from assistant.requirements.records import RequirementRecord
from assistant.risks import repository as register
from assistant.risks.lifecycle import RiskStatus
from assistant.traceability import matching
from assistant.traceability.schemas import (
    InterfaceGap,
    TraceabilityMatrix,
    TraceGap,
    TraceNeed,
    TraceRisk,
    TraceRow,
    TraceSource,
    TraceStatus,
)

# The register's risks a matrix lists: all but the ones people rejected (a rejected finding was never a risk).
TRACED_RISK_STATUSES = tuple(s.value for s in RiskStatus if s is not RiskStatus.rejected)
# Guards against a runaway store, not limits anyone should meet: every requirement and analysis is read.
MAX_REQUIREMENTS = 100_000
MAX_ANALYSES = 10_000
_PLAN_PAGE = 50


@dataclass
class Requirement:
    """One requirement, however many stored statements say it (a spec as DOCX and as PDF holds each twice)."""

    requirement_id: str
    text: str
    kind: str
    quality_class: str | None
    source: TraceSource
    criteria: list[str]
    findings: list[str]  # the rules the requirement checker found the statement breaks
    written_id: bool  # the documents write an id for it (else requirement_id is a stored statement's id)
    # Every id the stored copies go by (the written id, each statement's record id): plans and risks may
    # name any of them.
    ids: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    """A 5-Why analysis as the matrix reads it: its root need and the texts that may mention a requirement."""

    analysis_id: str
    need: str
    texts: list[str]


@dataclass
class Risk:
    ref: str
    title: str
    band: str
    status: str
    linked_requirements: list[str]


def _merge_key(row: RequirementRecord) -> tuple[str, object]:
    return ("id", matching.id_key(row.ref)) if row.ref else ("text", normalise(row.text))


def _recency(doc: Document | None) -> tuple[dt.date, dt.datetime]:
    """Later documents win: by their own date, then by when they were indexed."""
    earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
    if doc is None:
        return dt.date.min, earliest
    return doc.doc_date or dt.date.min, doc.indexed_at or doc.created_at or earliest


def merge_requirements(rows: Sequence[RequirementRecord], docs: dict[str, Document]) -> list[Requirement]:
    """Stored statements grouped by the id the documents write (REQ-007 = req-7) or, without one, by their
    normalised text; the latest document's copy gives the row its wording and source. Rows come out in
    natural id order (REQ-2 before REQ-10), requirements without a written id after them in document order."""
    groups: dict[tuple[str, object], list[RequirementRecord]] = {}
    for row in rows:
        groups.setdefault(_merge_key(row), []).append(row)
    out = []
    for copies in groups.values():
        best = max(copies, key=lambda r: _recency(docs.get(r.document_id or "")))
        doc = docs.get(best.document_id or "")
        out.append(
            Requirement(
                requirement_id=best.ref or best.id,
                text=best.text,
                kind=best.kind,
                quality_class=best.quality_class,
                source=TraceSource(
                    document_id=best.document_id,
                    file_name=doc.file_name if doc else None,
                    page=best.page,
                    section=best.section,
                    quote=best.text,
                ),
                criteria=list(dict.fromkeys(c for r in copies for c in r.acceptance_criteria)),
                findings=[str(f.get("rule")) for f in best.findings],
                written_id=best.ref is not None,
                ids=list(dict.fromkeys([*(r.ref for r in copies if r.ref), *(r.id for r in copies)])),
            )
        )
    written = sorted((r for r in out if r.written_id), key=lambda r: matching.sort_key(r.requirement_id))
    return written + [r for r in out if not r.written_id]


def build_rows(
    requirements: Sequence[Requirement],
    plan: PlanPublic | None,
    risks: Sequence[Risk],
    analyses: Sequence[Analysis],
) -> tuple[list[TraceRow], list[InterfaceGap]]:
    """The matrix from its inputs (no database): rows in the order given, then the plan's interfaces that no
    row names."""
    interfaces = plan.interfaces if plan else []
    tests = matching.index_tests(plan.tests if plan else [])
    risk_keys = [(r, matching.keys(r.linked_requirements)) for r in risks]
    needs = [(a, matching.need_texts(a.need, a.texts)) for a in analyses]
    rows = []
    named: set[str] = set()
    for req in requirements:
        own = matching.keys(req.ids)
        words = tokens(req.text)
        covering = matching.tests_covering(own, tests)
        linked = matching.interfaces_named(req.text, interfaces, covering)
        named.update(linked)
        criteria = matching.acceptance_criteria(own, req.text, req.criteria, covering, req.findings)
        row_gaps = []
        if not covering:
            row_gaps.append(TraceGap.no_test)
        if not criteria:
            row_gaps.append(TraceGap.no_acceptance)
        if covering:
            status = TraceStatus.test_planned
        elif linked:
            status = TraceStatus.designed
        else:
            status = TraceStatus.identified
        rows.append(
            TraceRow(
                requirement_id=req.requirement_id,
                requirement=req.text,
                kind=req.kind,
                quality_class=req.quality_class,
                priority=matching.priority(req.text),
                source=req.source,
                needs=[
                    TraceNeed(analysis_id=a.analysis_id, need=a.need)
                    for a, texts in needs
                    if matching.answers_need(own, words, texts)
                ],
                interfaces=linked,
                risks=[
                    TraceRisk(risk_id=r.ref, title=r.title, band=r.band, status=r.status)
                    for r, linked_keys in risk_keys
                    if own & linked_keys
                ],
                tests=[t.id for t in covering],
                acceptance_criteria=criteria,
                status=status,
                gaps=row_gaps,
            )
        )
    orphans = [
        InterfaceGap(interface_id=i.id, source=i.source, target=i.target, protocol=i.protocol)
        for i in interfaces
        if i.id not in named
    ]
    return rows, orphans


# ---------------------------------------------------------------------------------------- from the stores


def load_requirements(session: Session, *, project_id: str) -> list[Requirement]:
    rows, _ = requirement_store.list_requirements(session, project_id=project_id, limit=MAX_REQUIREMENTS)
    docs = {d.id: d for d in documents.list_documents(session, project_id=project_id)}
    return merge_requirements(rows, docs)


def load_risks(session: Session, *, project_id: str) -> list[Risk]:
    rows = register.risks_in_statuses(session, project_id=project_id, statuses=TRACED_RISK_STATUSES)
    return [
        Risk(
            ref=r.ref,
            title=r.title,
            band=r.band,
            status=r.status,
            linked_requirements=list(r.linked_requirements),
        )
        for r in rows
    ]


def load_analyses(session: Session, *, project_id: str, plan: PlanPublic | None) -> list[Analysis]:
    """The project's stored 5-Why analyses, and root needs the plan lists whose analysis is gone."""
    rows, _ = five_why_store.list_analyses(session, project_id=project_id, limit=MAX_ANALYSES)
    out = []
    for row in reversed(rows):  # oldest first
        a = five_why_public(row)
        if a.root_need.strip():
            texts = [a.statement, *(r.text for r in a.requirements)]
            out.append(Analysis(analysis_id=a.id, need=a.root_need.strip(), texts=texts))
    stored = {a.analysis_id for a in out}
    needs: list[PlanNeed] = plan.needs if plan else []
    out += [Analysis(n.analysis_id, n.need, []) for n in needs if n.analysis_id not in stored]
    return out


def latest_ready_plan(session: Session, *, project_id: str) -> PlanPublic | None:
    """The newest plan whose draft finished (one still drafting, or failed, has no tests to trace)."""
    offset = 0
    while True:
        rows, total = plans.list_plans(session, project_id=project_id, limit=_PLAN_PAGE, offset=offset)
        ready = next((p for p in rows if p.status == PlanStatus.ready.value), None)
        if ready is not None:
            return to_public(ready)
        offset += _PLAN_PAGE
        if offset >= total:
            return None


def build_matrix(
    session: Session, project_id: str, *, plan: PlanPublic | None = None, language: str | None = None
) -> TraceabilityMatrix:
    """The matrix of a project (its id), traced to ``plan``'s interfaces and tests: by default the latest
    ready plan; with none, every requirement lacks a test. ``language`` (zh or en) heads the files; by default
    the project's main language."""
    plan = plan or latest_ready_plan(session, project_id=project_id)
    rows, interface_gaps = build_rows(
        load_requirements(session, project_id=project_id),
        plan,
        load_risks(session, project_id=project_id),
        load_analyses(session, project_id=project_id, plan=plan),
    )
    return TraceabilityMatrix(
        project_id=project_id,
        language=language or main_language(session, project_id=project_id),
        plan_id=plan.id if plan else None,
        plan_version=plan.version if plan else None,
        rows=rows,
        total=len(rows),
        interface_gaps=interface_gaps,
    )
