"""Changing risks: creation, edits with optimistic locking, lifecycle moves, mitigation actions, and the two
writes the assistant may make (a new draft, or evidence on an existing risk). Every change writes history."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import utcnow
from assistant.errors import ConflictError, InvalidInputError
from assistant.providers.embeddings import NamedEmbeddings
from assistant.risks import repository as repo
from assistant.risks.cues import normalize
from assistant.risks.lifecycle import (
    CLOSED_STATES,
    REVIEWED_STATES,
    RiskAction,
    RiskStatus,
    allowed_actions,
    next_status,
)
from assistant.risks.models import (
    ASSISTANT_ACTOR,
    STRATEGIES_BY_TYPE,
    HistoryKind,
    ResponseStrategy,
    Risk,
    RiskEvidence,
    RiskHistory,
    RiskMitigationAction,
    RiskNotification,
    RiskSource,
    RiskType,
)
from assistant.risks.schemas import (
    COLUMN_OF,
    ActionCreate,
    ActionPublic,
    ActionUpdate,
    EvidencePublic,
    HeatMap,
    HeatMapCell,
    HistoryPublic,
    RiskCreate,
    RiskDetail,
    RiskFinding,
    RiskList,
    RiskPublic,
    RiskUpdate,
    ScanReport,
)
from assistant.risks.scoring import Band, band, is_raise_into_alert
from assistant.risks.settings import RiskSettings
from assistant.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_ACTOR = "api"
MAX_ACTOR = 200
# Statuses counted on the heat map unless asked otherwise: the risks the project still lives with.
HEATMAP_STATUSES = (RiskStatus.open, RiskStatus.reopened, RiskStatus.mitigating, RiskStatus.accepted)


def clean_actor(actor: str | None) -> str:
    """Who makes a change. 'assistant' is reserved: history must tell people and the scan apart."""
    value = (actor or "").strip() or DEFAULT_ACTOR
    if len(value) > MAX_ACTOR:
        raise InvalidInputError(f"actor is {len(value)} characters, over the {MAX_ACTOR} allowed")
    if value.lower() == ASSISTANT_ACTOR:
        raise InvalidInputError(f"actor {ASSISTANT_ACTOR!r} is reserved for the automatic scan")
    return value


def today() -> dt.date:
    return dt.date.today()


def _fmt(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return json.dumps([_fmt(v) for v in value], ensure_ascii=False)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _get(risk: Risk, name: str) -> Any:
    return getattr(risk, COLUMN_OF.get(name, name))


def _set(risk: Risk, name: str, value: Any) -> None:
    setattr(risk, COLUMN_OF.get(name, name), _plain(value))


def _history(risk: Risk, actor: str, kind: HistoryKind, **values: Any) -> RiskHistory:
    return RiskHistory(
        risk_id=risk.id, project_id=risk.project_id, actor=actor, kind=kind.value, at=utcnow(), **values
    )


def _check_version(risk: Risk, version: int | None) -> None:
    if version is not None and version != risk.version:
        raise ConflictError(
            f"{risk.ref} is at version {risk.version} but you sent version {version}: someone changed it "
            "since you read it; reload it and apply your change again"
        )


def _check_strategy(risk_type: str, response: str | None) -> None:
    if response is None:
        return
    allowed = STRATEGIES_BY_TYPE[RiskType(risk_type)]
    if ResponseStrategy(response) not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise InvalidInputError(f"response {response!r} does not fit a {risk_type}; use one of: {names}")


# ---- reading -----------------------------------------------------------------------------------------------


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
        residual_band=risk.residual_band,  # type: ignore[arg-type]
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


def list_risks(
    session: Session, *, project_id: str, query: repo.RiskQuery, on: dt.date | None = None
) -> RiskList:
    on = on or today()
    risks, total = repo.list_risks(session, project_id=project_id, query=query, today=on)
    return RiskList(items=public_list(session, risks, on=on), total=total)


def overdue(session: Session, *, project_id: str, on: dt.date | None = None) -> RiskList:
    on = on or today()
    risks = repo.overdue_risks(session, project_id=project_id, today=on)
    return RiskList(items=public_list(session, risks, on=on), total=len(risks))


def detail(session: Session, *, project_id: str, ref: str, on: dt.date | None = None) -> RiskDetail:
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    return detail_of(session, risk, on=on or today())


def detail_of(session: Session, risk: Risk, *, on: dt.date) -> RiskDetail:
    evidence = repo.risk_evidence(session, risk_id=risk.id)
    base = to_public(risk, evidence_count=len(evidence), on=on)
    return RiskDetail(
        **base.model_dump(),
        evidence=[EvidencePublic.model_validate(e) for e in evidence],
        actions=[ActionPublic.model_validate(a) for a in repo.risk_actions(session, risk_id=risk.id)],
        history=[HistoryPublic.model_validate(h) for h in repo.risk_history(session, risk_id=risk.id)],
    )


def heatmap(session: Session, *, project_id: str, statuses: Iterable[str] | None = None) -> HeatMap:
    wanted = [RiskStatus(s).value for s in (statuses or HEATMAP_STATUSES)]
    risks = repo.risks_in_statuses(session, project_id=project_id, statuses=wanted)
    inherent = [[0] * 5 for _ in range(5)]
    residual = [[0] * 5 for _ in range(5)]
    ids: dict[tuple[int, int], list[str]] = {}
    residual_ids: dict[tuple[int, int], list[str]] = {}
    assessed = 0
    for r in risks:
        inherent[r.probability - 1][r.impact - 1] += 1
        ids.setdefault((r.probability, r.impact), []).append(r.ref)
        # Not yet assessed after mitigation: it sits where it is now, which is the honest answer.
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
            band=band(p * i),  # type: ignore[arg-type]
            count=inherent[p - 1][i - 1],
            risk_ids=ids.get((p, i), []),
            residual_count=residual[p - 1][i - 1],
            residual_risk_ids=residual_ids.get((p, i), []),
        )
        for p in range(1, 6)
        for i in range(1, 6)
    ]
    return HeatMap(
        statuses=wanted,
        total=len(risks),
        residual_assessed=assessed,
        residual_from_inherent=len(risks) - assessed,
        inherent=inherent,
        residual=residual,
        cells=cells,
    )


# ---- notifications -----------------------------------------------------------------------------------------


def _queue_alert(
    session: Session, risk: Risk, *, old_band: Band | None, actor: str, settings: RiskSettings
) -> bool:
    """Queue a webhook for a risk new or raised into high/critical; sent after commit (webhook.py)."""
    new_band = Band(risk.band)
    if not settings.webhook_url or not is_raise_into_alert(old_band, new_band):
        return False
    event = "risk.created" if old_band is None else "risk.raised"
    payload = {
        "event": event,
        "project_id": risk.project_id,
        "actor": actor,
        "at": utcnow().isoformat(),
        "previous_band": old_band.value if old_band else None,
        "risk": {
            "id": risk.ref,
            "title": risk.title,
            "status": risk.status,
            "category": risk.category,
            "probability": risk.probability,
            "impact": risk.impact,
            "score": risk.score,
            "band": risk.band,
            "owner": risk.owner,
            "source": risk.source,
            "next_review": risk.next_review.isoformat() if risk.next_review else None,
        },
    }
    repo.add_notification(
        session,
        notification=RiskNotification(
            project_id=risk.project_id,
            risk_id=risk.id,
            event=event,
            url=settings.webhook_url,
            payload=payload,
        ),
    )
    return True


# ---- changes by people -------------------------------------------------------------------------------------


def create_risk(
    session: Session, *, project_id: str, data: RiskCreate, actor: str, settings: RiskSettings
) -> Risk:
    actor = clean_actor(actor)
    _check_strategy(data.type.value, data.response.value if data.response else None)
    now = utcnow()
    risk = Risk(
        project_id=project_id,
        number=repo.allocate_number(session, project_id=project_id),
        status=RiskStatus.open.value,
        source=RiskSource.person.value,
        created_by=actor,
        created_at=now,
        updated_at=now,
        person_fields=[],
        linked_requirements=[],
        linked_interfaces=[],
    )
    given = {f: getattr(data, f) for f in RiskCreate.model_fields if f != "actions"}
    for name, value in given.items():
        if value is not None:
            _set(risk, name, value)
    # Everything a person typed in is theirs; defaults they did not send are not.
    risk.person_fields = sorted(
        f for f in data.model_fields_set if f != "actions" and given.get(f) is not None
    )
    repo.add_risk(session, risk=risk)
    entries = [
        _history(
            risk, actor, HistoryKind.created, field="status", new_value=risk.status, note="created by hand"
        )
    ]
    for item in data.actions:
        repo.add_action(session, action=_new_action(risk, item, source=RiskSource.person))
        entries.append(_history(risk, actor, HistoryKind.action, field="actions", new_value=item.description))
    repo.add_history(session, entries=entries)
    _queue_alert(session, risk, old_band=None, actor=actor, settings=settings)
    repo.flush(session)
    return risk


def update_risk(
    session: Session, *, project_id: str, ref: str, data: RiskUpdate, actor: str, settings: RiskSettings
) -> Risk:
    actor = clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    _check_version(risk, data.version)
    old_band = Band(risk.band)
    changes = {name: _plain(value) for name, value in data.changes().items()}
    new_type = changes.get("type", risk.risk_type)
    new_response = changes.get("response", risk.response)
    _check_strategy(new_type, new_response)
    entries = []
    touched = set(risk.person_fields or [])
    for name, value in changes.items():
        old = _get(risk, name)
        touched.add(name)  # edited to the same value still says "a person decided this"
        if old == value:
            continue
        _set(risk, name, value)
        entries.append(
            _history(risk, actor, HistoryKind.changed, field=name, old_value=_fmt(old), new_value=_fmt(value))
        )
    if touched != set(risk.person_fields or []):
        risk.person_fields = sorted(touched)
    if entries:
        risk.updated_at = utcnow()
    repo.flush(session)
    repo.add_history(session, entries=entries)
    _queue_alert(session, risk, old_band=old_band, actor=actor, settings=settings)
    repo.flush(session)
    return risk


def transition(
    session: Session,
    *,
    project_id: str,
    ref: str,
    action: RiskAction,
    actor: str,
    version: int | None = None,
    note: str | None = None,
) -> Risk:
    actor = clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    _check_version(risk, version)
    target = next_status(risk.status, action, ref=risk.ref)
    old = risk.status
    risk.status, risk.updated_at = target.value, utcnow()
    repo.flush(session)
    repo.add_history(
        session,
        entries=[
            _history(
                risk,
                actor,
                HistoryKind.transition,
                field="status",
                old_value=old,
                new_value=target.value,
                note=f"{action.value}: {note}" if note else action.value,
            )
        ],
    )
    repo.flush(session)
    return risk


def _new_action(risk: Risk, item: ActionCreate, *, source: RiskSource) -> RiskMitigationAction:
    now = utcnow()
    return RiskMitigationAction(
        risk_id=risk.id,
        description=item.description.strip(),
        owner=item.owner,
        due_date=item.due_date,
        status=item.status.value,
        source=source.value,
        created_at=now,
        updated_at=now,
    )


def add_action(
    session: Session, *, project_id: str, ref: str, data: ActionCreate, actor: str, version: int | None = None
) -> tuple[Risk, RiskMitigationAction]:
    actor = clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    _check_version(risk, version)
    action = repo.add_action(session, action=_new_action(risk, data, source=RiskSource.person))
    risk.updated_at = utcnow()  # the risk changed: its version moves on
    repo.flush(session)
    note = f"owner {data.owner or '-'}, due {data.due_date or '-'}"
    repo.add_history(
        session,
        entries=[
            _history(
                risk, actor, HistoryKind.action, field="actions", new_value=action.description, note=note
            )
        ],
    )
    repo.flush(session)
    return risk, action


def update_action(
    session: Session, *, project_id: str, ref: str, action_id: int, data: ActionUpdate, actor: str
) -> tuple[Risk, RiskMitigationAction]:
    actor = clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    _check_version(risk, data.version)
    action = repo.get_action(session, risk_id=risk.id, action_id=action_id)
    entries = []
    for name in ("description", "owner", "due_date", "status"):
        if name not in data.model_fields_set:
            continue
        value = _plain(getattr(data, name))
        if name in ("description", "status") and value is None:
            raise InvalidInputError(f"{name} of a mitigation action cannot be cleared")
        old = getattr(action, name)
        if old == value:
            continue
        setattr(action, name, value)
        entries.append(
            _history(
                risk,
                actor,
                HistoryKind.action,
                field=f"action[{action.id}].{name}",
                old_value=_fmt(old),
                new_value=_fmt(value),
            )
        )
    if entries:
        action.updated_at = risk.updated_at = utcnow()
    repo.flush(session)
    repo.add_history(session, entries=entries)
    repo.flush(session)
    return risk, action


# ---- changes by the assistant (the scan) -------------------------------------------------------------------
# The scan has exactly these two ways to write: a new draft, or evidence (and unowned fields) on an existing
# risk. Neither touches status, deletes anything, or writes a field a person has set.


@dataclass(frozen=True)
class EvidenceIn:
    document_id: str
    file_name: str | None
    chunk_id: str | None
    page: int | None
    section: str | None
    quote: str

    @property
    def quote_hash(self) -> str:
        return hashlib.sha256(normalize(self.quote).encode("utf-8")).hexdigest()


@dataclass
class MergeOutcome:
    evidence_added: bool = False
    changed: list[str] = field(default_factory=list)
    suggestions: int = 0
    notified: bool = False


def _confidence(evidence_count: int) -> float:
    """More independent quotes, more confidence: 0.5, 0.75, 0.875 ..."""
    return round(1 - 0.5 ** max(1, evidence_count), 3)


def _evidence_row(risk: Risk, ev: EvidenceIn) -> RiskEvidence:
    return RiskEvidence(
        risk_id=risk.id,
        project_id=risk.project_id,
        document_id=ev.document_id,
        file_name=ev.file_name,
        chunk_id=ev.chunk_id,
        page=ev.page,
        section=(ev.section or None) and ev.section[:1000],
        quote=ev.quote,
        quote_hash=ev.quote_hash,
        added_by=ASSISTANT_ACTOR,
        created_at=utcnow(),
    )


def _where(ev: EvidenceIn) -> str:
    place = f", page {ev.page}" if ev.page is not None else (f", {ev.section[:80]}" if ev.section else "")
    return f"{ev.file_name or ev.document_id}{place}"


# Text fields of a finding the assistant may fill on a risk (API name = finding attribute).
_FINDING_TEXT = ("cause", "event", "effect", "owner", "contingency", "trigger")


def create_draft(
    session: Session, *, project_id: str, finding: RiskFinding, evidence: EvidenceIn, settings: RiskSettings
) -> tuple[Risk, bool]:
    """A new draft from a finding; also says whether a webhook was queued for it."""
    now = utcnow()
    risk = Risk(
        project_id=project_id,
        number=repo.allocate_number(session, project_id=project_id),
        title=finding.title[:300] or finding.quote[:80],
        cause=finding.cause or None,
        event=finding.event or None,
        effect=finding.effect or None,
        risk_type=RiskType.threat.value,
        category=finding.category.value,
        probability=finding.probability,
        impact=finding.impact,
        owner=(finding.owner or None) and finding.owner[:200],
        contingency=finding.contingency or None,
        contingency_trigger=finding.trigger or None,
        status=RiskStatus.draft.value,
        source=RiskSource.ai.value,
        confidence=_confidence(1),
        person_fields=[],
        linked_requirements=[],
        linked_interfaces=[],
        created_by=ASSISTANT_ACTOR,
        created_at=now,
        updated_at=now,
    )
    repo.add_risk(session, risk=risk)
    repo.add_evidence(session, evidence=_evidence_row(risk, evidence))
    entries = [
        _history(
            risk,
            ASSISTANT_ACTOR,
            HistoryKind.created,
            field="status",
            new_value=risk.status,
            note=f"found in {_where(evidence)}",
        )
    ]
    if finding.mitigation:
        item = ActionCreate(description=finding.mitigation[:2000], owner=risk.owner)
        repo.add_action(session, action=_new_action(risk, item, source=RiskSource.ai))
        entries.append(
            _history(risk, ASSISTANT_ACTOR, HistoryKind.action, field="actions", new_value=finding.mitigation)
        )
    repo.add_history(session, entries=entries)
    notified = _queue_alert(session, risk, old_band=None, actor=ASSISTANT_ACTOR, settings=settings)
    repo.flush(session)
    return risk, notified


def _suggest(session: Session, risk: Risk, name: str, value: Any, current: Any, ev: EvidenceIn) -> bool:
    text = _fmt(value)
    if repo.suggestion_known(session, risk_id=risk.id, field=name, value=text):
        return False
    repo.add_history(
        session,
        entries=[
            _history(
                risk,
                ASSISTANT_ACTOR,
                HistoryKind.suggestion,
                field=name,
                old_value=_fmt(current),
                new_value=text,
                note=f"the assistant reads {_where(ev)} differently; not applied",
            )
        ],
    )
    return True


def merge_finding(
    session: Session, *, risk: Risk, finding: RiskFinding, evidence: EvidenceIn, settings: RiskSettings
) -> MergeOutcome:
    out = MergeOutcome()
    known = {
        e.quote_hash
        for e in repo.risk_evidence(session, risk_id=risk.id)
        if e.document_id == evidence.document_id
    }
    if evidence.quote_hash not in known:
        repo.add_evidence(session, evidence=_evidence_row(risk, evidence))
        repo.add_history(
            session,
            entries=[
                _history(
                    risk,
                    ASSISTANT_ACTOR,
                    HistoryKind.evidence,
                    new_value=evidence.quote[:500],
                    note=f"found in {_where(evidence)}",
                )
            ],
        )
        out.evidence_added = True
    frozen = (
        RiskStatus(risk.status) in CLOSED_STATES
    )  # a decided risk only ever gets evidence and suggestions
    owned = set(risk.person_fields or [])
    old_band = Band(risk.band)
    proposals: dict[str, Any] = {"probability": finding.probability, "impact": finding.impact}
    for name in _FINDING_TEXT:
        text = getattr(finding, name)
        if text:
            proposals[name] = text[:200] if name == "owner" else text
    for name, value in proposals.items():
        current = _get(risk, name)
        if current == value or (
            isinstance(value, str) and current and normalize(current) == normalize(value)
        ):
            continue
        if name in owned or frozen:
            out.suggestions += _suggest(session, risk, name, value, current, evidence)
            continue
        # Unowned fields: levels only go up (one more quote does not make a risk smaller); text fills gaps.
        if name in ("probability", "impact"):
            if value <= current:
                continue
        elif current:
            continue
        _set(risk, name, value)
        out.changed.append(name)
        repo.add_history(
            session,
            entries=[
                _history(
                    risk,
                    ASSISTANT_ACTOR,
                    HistoryKind.changed,
                    field=name,
                    old_value=_fmt(current),
                    new_value=_fmt(value),
                    note=f"from {_where(evidence)}",
                )
            ],
        )
    if risk.source == RiskSource.ai.value and out.evidence_added:
        risk.confidence = _confidence(len(repo.risk_evidence(session, risk_id=risk.id)))
    if out.changed:
        risk.updated_at = utcnow()
    repo.flush(session)
    if not frozen:
        out.notified = _queue_alert(
            session, risk, old_band=old_band, actor=ASSISTANT_ACTOR, settings=settings
        )
    repo.flush(session)
    return out


# ---- scans (route, CLI and the background worker all call these) -------------------------------------------

SCAN_QUEUE = "risk-scan"
SCAN_TASK = "scan_document"


def scan_risks(
    *,
    chat_model: BaseChatModel,
    embeddings: NamedEmbeddings,
    sessions: sessionmaker[Session],
    settings: Settings,
    project_id: str,
    document_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ScanReport:
    """Scan one document, or every indexed document of the project, and deliver the webhooks it queued."""
    from assistant.risks.scan import scan_document, scan_project

    common: dict[str, Any] = {
        "chat_model": chat_model,
        "embeddings": embeddings,
        "sessions": sessions,
        "settings": settings,
        "project_id": project_id,
        "risk_settings": settings.risk,
        "transport": transport,
    }
    if document_id:
        return scan_document(document_id=document_id, **common)
    return scan_project(**common)


def scan_after_indexing(
    *,
    chat_model: BaseChatModel,
    embeddings: NamedEmbeddings,
    sessions: sessionmaker[Session],
    settings: Settings,
    project_id: str,
    document_id: str,
    transport: httpx.BaseTransport | None = None,
) -> ScanReport | None:
    """The automatic scan of a newly indexed or changed document (a background task). None when automatic
    scans are switched off (ASSISTANT_RISK_AUTO_SCAN=false). Passages read before cost nothing, so scanning
    an unchanged document again is cheap."""
    if not settings.risk.auto_scan:
        return None
    report = scan_risks(
        chat_model=chat_model,
        embeddings=embeddings,
        sessions=sessions,
        settings=settings,
        project_id=project_id,
        document_id=document_id,
        transport=transport,
    )
    log.info(
        "risk scan of %s: %d passages sent, %d drafts, %d merges, %d dropped, %.1f s",
        document_id,
        report.passages_sent,
        report.drafts_created,
        report.merges,
        report.dropped_bad_quote,
        report.seconds,
    )
    return report
