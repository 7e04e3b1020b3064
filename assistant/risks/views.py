"""How the register reads: a risk as its public schema (score, band and overdue computed on every read), a risk
with its evidence, actions and history, and the heat-map arithmetic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from assistant.risks import repository as repo
from assistant.risks.lifecycle import REVIEWED_STATES, RiskStatus, allowed_actions
from assistant.risks.models import Risk
from assistant.risks.schemas import (
    ActionPublic,
    EvidencePublic,
    HeatMap,
    HeatMapCell,
    HistoryPublic,
    RiskDetail,
    RiskPublic,
)
from assistant.risks.scoring import Band, band

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
    base = to_public(risk, evidence_count=len(evidence), on=on)
    return RiskDetail(
        **base.model_dump(),
        evidence=[EvidencePublic.model_validate(e) for e in evidence],
        actions=[ActionPublic.model_validate(a) for a in repo.risk_actions(session, risk_id=risk.id)],
        history=[HistoryPublic.model_validate(h) for h in repo.risk_history(session, risk_id=risk.id)],
    )


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
