"""A person decides on one of the assistant's suggestions (a history row of kind ``suggestion``).

Accepting applies the suggested value by the same change a person makes by hand: a field through
edits.update_risk (the person is the actor, the field becomes theirs, the webhook follows a raise into high or
critical), a status through the lifecycle's transitions, step by step (open -> mitigating -> closed), each a
history row of the person's. Rejecting writes a history row of kind ``dismissed``. Either names the suggestion
in its note ("accepted suggestion 12"), which is how the register tells a pending suggestion from a decided
one; the suggestion row itself stays as it was: the history is only ever added to.
"""

from __future__ import annotations

from collections import deque

from pydantic import ValidationError
from sqlalchemy.orm import Session

from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.risks import edits, history, transitions
from assistant.risks import repository as repo
from assistant.risks.findings import SUGGESTED_FIELDS
from assistant.risks.lifecycle import TRANSITIONS, RiskAction, RiskStatus
from assistant.risks.models import HistoryKind, Risk, RiskHistory
from assistant.risks.schemas import RiskUpdate
from assistant.risks.settings import RiskSettings
from assistant.risks.views import suggestion_states


def _pending(session: Session, risk: Risk, suggestion_id: int) -> RiskHistory:
    rows = repo.risk_history(session, risk_id=risk.id)
    row = next((r for r in rows if r.id == suggestion_id and r.kind == HistoryKind.suggestion.value), None)
    if row is None or row.field not in SUGGESTED_FIELDS:
        raise NotFoundError(f"{risk.ref} has no suggestion {suggestion_id}")
    state = next(s.state for s in suggestion_states(rows) if s.id == suggestion_id)
    if state != "pending":
        raise ConflictError(f"suggestion {suggestion_id} of {risk.ref} was {state} already")
    return row


def as_update(session: Session, *, project_id: str, ref: str, suggestion_id: int, version: int) -> RiskUpdate:
    """The edit that applies field suggestion ``suggestion_id`` of risk ``ref`` on the version the person
    read. 404 when the risk has no such suggestion; 409 when the version is stale, the suggestion was decided
    already or the field already has the suggested value."""
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    row = _pending(session, risk, suggestion_id)
    history.check_version(risk, version)
    if history.fmt(history.get_field(risk, row.field or "")) == row.new_value:
        raise ConflictError(f"{risk.ref}'s {row.field} is {row.new_value} already; nothing to accept")
    try:
        return RiskUpdate.model_validate({"version": risk.version, row.field or "": row.new_value})
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise InvalidInputError(f"suggestion {suggestion_id} is not a valid {row.field}: {problem}") from None


def path_to(status: str, target: RiskStatus) -> list[RiskAction]:
    """The shortest run of lifecycle actions from ``status`` to ``target`` (empty when already there)."""
    start = RiskStatus(status)
    seen = {start}
    queue: deque[tuple[RiskStatus, list[RiskAction]]] = deque([(start, [])])
    while queue:
        current, actions = queue.popleft()
        if current == target:
            return actions
        for action, following in TRANSITIONS[current].items():
            if following not in seen:
                seen.add(following)
                queue.append((following, [*actions, action]))
    raise ConflictError(f"no lifecycle path leads from {status} to {target.value}")


def accept(
    session: Session,
    *,
    project_id: str,
    ref: str,
    suggestion_id: int,
    version: int,
    actor: str,
    settings: RiskSettings,
) -> Risk:
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    row = _pending(session, risk, suggestion_id)
    note = f"accepted suggestion {suggestion_id}"
    if row.field != "status":
        data = as_update(
            session, project_id=project_id, ref=ref, suggestion_id=suggestion_id, version=version
        )
        return edits.update_risk(
            session, project_id=project_id, ref=ref, data=data, actor=actor, settings=settings, note=note
        )
    history.check_version(risk, version)
    actions = path_to(risk.status, RiskStatus(row.new_value or ""))
    if not actions:
        raise ConflictError(f"{risk.ref} is {risk.status} already; nothing to accept")
    for action in actions:
        risk = transitions.transition(
            session, project_id=project_id, ref=ref, action=action, actor=actor, note=note
        )
    return risk


def reject(
    session: Session, *, project_id: str, ref: str, suggestion_id: int, actor: str, reason: str | None = None
) -> Risk:
    """The person says no: a ``dismissed`` history row, nothing else changes (not even the version)."""
    actor = history.clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    row = _pending(session, risk, suggestion_id)
    note = f"rejected suggestion {suggestion_id}" + (f": {reason}" if reason else "")
    repo.add_history(
        session,
        entries=[
            history.entry(
                risk, actor, HistoryKind.dismissed, field=row.field, new_value=row.new_value, note=note[:2000]
            )
        ],
    )
    repo.flush(session)
    return risk
