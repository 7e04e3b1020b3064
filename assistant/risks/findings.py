"""The assistant's only two writes to the register: a new draft from a finding, or a finding that matches an
existing risk. The match adds the finding's quote as evidence; then, on a draft only the assistant has written,
it may raise levels and fill empty text fields, and on any risk a person has touched (``person_touch``) it only
records each differing value as a suggestion in the history, for a person to accept. Neither touches a status,
deletes anything, or changes a value on a risk a person has touched."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.risks import history
from assistant.risks import repository as repo
from assistant.risks.alerts import queue_draft_alert
from assistant.risks.cues import normalize
from assistant.risks.lifecycle import RiskStatus
from assistant.risks.mitigation import new_action
from assistant.risks.models import (
    ASSISTANT_ACTOR,
    STRATEGIES_BY_TYPE,
    EvidenceSignal,
    HistoryKind,
    Risk,
    RiskEvidence,
    RiskSource,
    RiskType,
)
from assistant.risks.schemas import ActionCreate, RiskFinding
from assistant.risks.scoring import Band
from assistant.risks.settings import RiskSettings

# Text fields of a finding the assistant may fill on its own draft (API name = finding attribute).
FINDING_TEXT = ("cause", "event", "effect", "owner", "contingency", "trigger", "response")
LEVELS = ("probability", "impact")
# The fields a suggestion can be about, hence the ones a person can accept one for.
SUGGESTED_FIELDS = LEVELS + FINDING_TEXT + ("status",)


@dataclass(frozen=True)
class EvidenceIn:
    document_id: str
    file_name: str | None
    chunk_id: str | None
    page: int | None
    section: str | None
    quote: str
    document_date: dt.date | None = None
    signal: EvidenceSignal = EvidenceSignal.risk

    @property
    def quote_hash(self) -> str:
        return hashlib.sha256(normalize(self.quote).encode("utf-8")).hexdigest()

    @property
    def where(self) -> str:
        """The file and page (or section) the quote comes from, for history notes."""
        if self.page is not None:
            place = f", page {self.page}"
        else:
            place = f", {self.section[:80]}" if self.section else ""
        return f"{self.file_name or self.document_id}{place}"


@dataclass
class MergeOutcome:
    evidence_added: bool = False
    changed: list[str] = field(default_factory=list)
    suggestions: int = 0
    notified: bool = False


def confidence(evidence_count: int) -> float:
    """More independent quotes, more confidence: 0.5, 0.75, 0.875 ..."""
    return round(1 - 0.5 ** max(1, evidence_count), 3)


def evidence_row(risk: Risk, ev: EvidenceIn) -> RiskEvidence:
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
        document_date=ev.document_date,
        signal=ev.signal.value,
        added_by=ASSISTANT_ACTOR,
        created_at=utcnow(),
    )


# ---- a new draft -------------------------------------------------------------------------------------------


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
        response=threat_response(finding.response),
        identified_on=evidence.document_date or now.date(),
        status=RiskStatus.draft.value,
        source=RiskSource.ai.value,
        confidence=confidence(1),
        person_fields=[],
        linked_requirements=[],
        linked_interfaces=[],
        created_by=ASSISTANT_ACTOR,
        created_at=now,
        updated_at=now,
    )
    repo.add_risk(session, risk=risk)
    repo.add_evidence(session, evidence=evidence_row(risk, evidence))
    entries = [
        history.entry(
            risk,
            ASSISTANT_ACTOR,
            HistoryKind.created,
            field="status",
            new_value=risk.status,
            note=f"found in {evidence.where}",
        )
    ]
    if finding.mitigation:
        item = ActionCreate(description=finding.mitigation[:2000], owner=risk.owner)
        repo.add_action(session, action=new_action(risk, item, source=RiskSource.ai))
        entries.append(
            history.entry(
                risk, ASSISTANT_ACTOR, HistoryKind.action, field="actions", new_value=finding.mitigation
            )
        )
    repo.add_history(session, entries=entries)
    notified = queue_draft_alert(
        session,
        risk,
        old_band=None,
        document_id=evidence.document_id,
        file_name=evidence.file_name,
        settings=settings,
    )
    repo.flush(session)
    return risk, notified


# ---- a finding that matches an existing risk ---------------------------------------------------------------


def person_touch(session: Session, risk: Risk) -> str | None:
    """Why ``risk`` is a person's, or None when only the assistant has ever written it. Read from what the
    register records: a person created it (source person); a person moved it (only people change a status, so
    any risk but a draft has been decided by someone); a person set a field (``person_fields``); or a person
    wrote a row of its history (an action, a transition, an edit that left a value as it was). The scan's
    actor name 'assistant' is reserved, so any other actor in the history is a person (or a person's key)."""
    if risk.source != RiskSource.ai.value:
        return "a person created it"
    if risk.status != RiskStatus.draft.value:
        return f"it is {risk.status}"
    if risk.person_fields:
        return f"a person set {', '.join(risk.person_fields)}"
    for row in repo.risk_history(session, risk_id=risk.id):
        if row.actor != ASSISTANT_ACTOR:
            return f"{row.actor} changed it"
    return None


def merge_finding(
    session: Session, *, risk: Risk, finding: RiskFinding, evidence: EvidenceIn, settings: RiskSettings
) -> MergeOutcome:
    """Add the evidence. On a risk a person has touched, record each value the finding reads differently as a
    suggestion and change nothing on the risk (not even its version, so nobody's edit in progress is refused
    for it). On the assistant's own untouched draft, raise levels, fill empty text fields, update the
    assistant's confidence and queue the draft alert when it rose into high or critical."""
    out = MergeOutcome(evidence_added=_add_evidence(session, risk, evidence))
    reason = person_touch(session, risk)
    if reason is not None:
        for name, value in proposals(finding).items():
            current = history.get_field(risk, name)
            if not same_value(value, current):
                out.suggestions += _suggest(session, risk, name, value, current, evidence, reason)
        repo.flush(session)
        return out
    old_band = Band(risk.band)
    for name, value in proposals(finding).items():
        current = history.get_field(risk, name)
        if assistant_may_write(name, value, current):
            _change(session, risk, name, value, current, evidence)
            out.changed.append(name)
    if out.evidence_added:
        risk.confidence = confidence(len(repo.risk_evidence(session, risk_id=risk.id)))
    if out.changed:
        risk.updated_at = utcnow()
    repo.flush(session)
    out.notified = queue_draft_alert(
        session,
        risk,
        old_band=old_band,
        document_id=evidence.document_id,
        file_name=evidence.file_name,
        settings=settings,
    )
    repo.flush(session)
    return out


def _add_evidence(session: Session, risk: Risk, evidence: EvidenceIn) -> bool:
    """The quote as evidence of the risk, unless this document gave it already."""
    known = {
        e.quote_hash
        for e in repo.risk_evidence(session, risk_id=risk.id)
        if e.document_id == evidence.document_id
    }
    if evidence.quote_hash in known:
        return False
    repo.add_evidence(session, evidence=evidence_row(risk, evidence))
    repo.add_history(
        session,
        entries=[
            history.entry(
                risk,
                ASSISTANT_ACTOR,
                HistoryKind.evidence,
                new_value=evidence.quote[:500],
                note=f"found in {evidence.where}",
            )
        ],
    )
    return True


def threat_response(value: str) -> str | None:
    """A response strategy the model named, if it is one a threat can have (the scan finds threats)."""
    allowed = {s.value for s in STRATEGIES_BY_TYPE[RiskType.threat]}
    return value if value in allowed else None


def proposals(finding: RiskFinding) -> dict[str, Any]:
    """The field values a finding proposes: its levels, and the text fields it filled in."""
    out: dict[str, Any] = {"probability": finding.probability, "impact": finding.impact}
    for name in FINDING_TEXT:
        text = threat_response(finding.response) if name == "response" else getattr(finding, name)
        if text:
            out[name] = text[:200] if name == "owner" else text
    return out


def same_value(value: Any, current: Any) -> bool:
    """The finding says what the risk says already (text compared without width, case or spacing)."""
    if current == value:
        return True
    return isinstance(value, str) and bool(current) and normalize(current) == normalize(value)


def assistant_may_write(name: str, value: Any, current: Any) -> bool:
    """On its own untouched draft: a level only goes up (one more quote does not make a risk smaller), a text
    field is only filled when empty."""
    if same_value(value, current):
        return False
    if name in LEVELS:
        return bool(value > current)
    return not current


def _suggest(
    session: Session, risk: Risk, name: str, value: Any, current: Any, ev: EvidenceIn, reason: str
) -> bool:
    """A suggestion row, once per field and value; says whether it wrote one."""
    if repo.suggestion_known(session, risk_id=risk.id, field=name, value=history.fmt(value)):
        return False
    note = f"the assistant reads {ev.where} differently; not applied because {reason}; a person may accept it"
    row = history.change(risk, ASSISTANT_ACTOR, HistoryKind.suggestion, name, current, value, note=note)
    repo.add_history(session, entries=[row])
    return True


def _change(session: Session, risk: Risk, name: str, value: Any, current: Any, ev: EvidenceIn) -> None:
    history.set_field(risk, name, value)
    row = history.change(
        risk, ASSISTANT_ACTOR, HistoryKind.changed, name, current, value, note=f"from {ev.where}"
    )
    repo.add_history(session, entries=[row])
