"""How the register reads: a risk as its public schema (score, band and overdue computed on every read), a risk
with its evidence, actions and history, and the heat-map arithmetic."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from assistant.risks import repository as repo
from assistant.risks.lifecycle import REVIEWED_STATES, RiskStatus, allowed_actions
from assistant.risks.models import ASSISTANT_ACTOR, HistoryKind, Risk, RiskEvidence, RiskHistory
from assistant.risks.schemas import (
    ActionPublic,
    EvidencePublic,
    HeatMap,
    HeatMapCell,
    HistoryPublic,
    RiskDetail,
    RiskPublic,
    SuggestionPublic,
    TimelineEntry,
)
from assistant.risks.scoring import Band, band

# How a person's history row names the suggestion it decided (suggestions.py writes these notes).
ACCEPTED_NOTE = re.compile(r"accepted suggestion (\d+)")
REJECTED_NOTE = re.compile(r"rejected suggestion (\d+)")

# Statuses counted on the heat map unless asked otherwise: the risks the project still lives with.
HEATMAP_STATUSES = (RiskStatus.open, RiskStatus.reopened, RiskStatus.mitigating, RiskStatus.accepted)


def today() -> dt.date:
    return dt.date.today()


def is_overdue(risk: Risk, on: dt.date) -> bool:
    return (
        risk.next_review is not None and risk.next_review < on and RiskStatus(risk.status) in REVIEWED_STATES
    )


def to_public(risk: Risk, *, evidence_count: int, on: dt.date) -> RiskPublic:
    return RiskPublic(
        id=risk.ref,
        project_id=risk.project_id,
        title=risk.title,
        cause=risk.cause,
        event=risk.event,
        effect=risk.effect,
        type=risk.risk_type,
        category=risk.category,
        probability=risk.probability,
        impact=risk.impact,
        score=risk.score,
        band=Band(risk.band),
        residual_probability=risk.residual_probability,
        residual_impact=risk.residual_impact,
        residual_score=risk.residual_score,
        residual_band=risk.residual_band,
        owner=risk.owner,
        response=risk.response,
        contingency=risk.contingency,
        trigger=risk.contingency_trigger,
        next_review=risk.next_review,
        identified_on=risk.identified_on,
        planned_close=risk.planned_close,
        affected=risk.affected,
        overdue=is_overdue(risk, on),
        status=RiskStatus(risk.status),
        allowed_actions=allowed_actions(risk.status),
        source=risk.source,
        confidence=risk.confidence,
        person_fields=sorted(risk.person_fields or []),
        linked_requirements=list(risk.linked_requirements or []),
        linked_interfaces=list(risk.linked_interfaces or []),
        evidence_count=evidence_count,
        created_by=risk.created_by,
        created_at=risk.created_at,
        updated_at=risk.updated_at,
        version=risk.version,
    )


def public_list(session: Session, risks: list[Risk], *, on: dt.date) -> list[RiskPublic]:
    counts = repo.evidence_counts(session, risk_ids=[r.id for r in risks])
    return [to_public(r, evidence_count=counts.get(r.id, 0), on=on) for r in risks]


def detail_of(session: Session, risk: Risk, *, on: dt.date) -> RiskDetail:
    evidence = repo.risk_evidence(session, risk_id=risk.id)
    rows = repo.risk_history(session, risk_id=risk.id)
    base = to_public(risk, evidence_count=len(evidence), on=on)
    return RiskDetail(
        **base.model_dump(),
        evidence=[EvidencePublic.model_validate(e) for e in evidence],
        actions=[ActionPublic.model_validate(a) for a in repo.risk_actions(session, risk_id=risk.id)],
        history=[HistoryPublic.model_validate(h) for h in rows],
        timeline=timeline(evidence, rows),
        suggestions=suggestion_states(rows),
    )


def timeline(evidence: Sequence[RiskEvidence], rows: Sequence[RiskHistory]) -> list[TimelineEntry]:
    """The evidence by the date of its document, oldest first (a quote without a document date sits at the
    day it was added); each entry lists the suggestions made from its quote."""
    made: dict[str, list[int]] = {}
    for row in rows:
        if row.kind == HistoryKind.suggestion.value and row.note:
            for e in evidence:
                if f'"{e.quote[:300]}"' in row.note:
                    made.setdefault(e.quote_hash, []).append(row.id)
    entries = [
        (
            e.document_date or e.created_at.date(),
            e.created_at,
            e.id,
            TimelineEntry(
                date=e.document_date or e.created_at.date(),
                document_id=e.document_id,
                file_name=e.file_name,
                page=e.page,
                section=e.section,
                quote=e.quote,
                signal=e.signal,
                suggestion_ids=made.get(e.quote_hash, []),
            ),
        )
        for e in evidence
    ]
    return [entry for *_, entry in sorted(entries, key=lambda x: (x[0], x[1], x[2]))]


def suggestion_states(rows: Sequence[RiskHistory]) -> list[SuggestionPublic]:
    """Every suggestion with its state: accepted or rejected when a person's history row names it."""
    decided: dict[int, str] = {}
    for row in rows:
        for state, pattern in (("accepted", ACCEPTED_NOTE), ("rejected", REJECTED_NOTE)):
            m = pattern.search(row.note or "")
            if m and row.actor != ASSISTANT_ACTOR:
                decided[int(m.group(1))] = state
    return [
        SuggestionPublic(
            id=row.id,
            at=row.at,
            field=row.field or "",
            current=row.old_value,
            suggested=row.new_value,
            note=row.note,
            state=decided.get(row.id, "pending"),
        )
        for row in rows
        if row.kind == HistoryKind.suggestion.value
    ]


def heat_map(risks: Sequence[Risk], *, statuses: list[str]) -> HeatMap:
    """Counts per probability x impact cell, before mitigation and after (a risk not yet assessed after
    mitigation sits where it is now, which is the honest answer)."""
    inherent = [[0] * 5 for _ in range(5)]
    residual = [[0] * 5 for _ in range(5)]
    ids: dict[tuple[int, int], list[str]] = {}
    residual_ids: dict[tuple[int, int], list[str]] = {}
    assessed = 0
    for r in risks:
        inherent[r.probability - 1][r.impact - 1] += 1
        ids.setdefault((r.probability, r.impact), []).append(r.ref)
        if r.residual_probability is not None and r.residual_impact is not None:
            assessed += 1
            cell = (r.residual_probability, r.residual_impact)
        else:
            cell = (r.probability, r.impact)
        residual[cell[0] - 1][cell[1] - 1] += 1
        residual_ids.setdefault(cell, []).append(r.ref)
    cells = [
        HeatMapCell(
            probability=p,
            impact=i,
            score=p * i,
            band=band(p * i),
            count=inherent[p - 1][i - 1],
            risk_ids=ids.get((p, i), []),
            residual_count=residual[p - 1][i - 1],
            residual_risk_ids=residual_ids.get((p, i), []),
        )
        for p in range(1, 6)
        for i in range(1, 6)
    ]
    return HeatMap(
        statuses=statuses,
        total=len(risks),
        residual_assessed=assessed,
        residual_from_inherent=len(risks) - assessed,
        inherent=inherent,
        residual=residual,
        cells=cells,
    )
