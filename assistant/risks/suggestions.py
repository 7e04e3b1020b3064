"""A person accepts one of the assistant's suggestions (a history row of kind ``suggestion``): the suggested value
becomes the field's value by the same edit a person makes by hand (edits.update_risk), so the person is the
actor in the history, the field becomes theirs and the webhook follows a raise into high or critical. The
suggestion row stays as it was: the history is only ever added to."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.risks import history
from assistant.risks import repository as repo
from assistant.risks.findings import SUGGESTED_FIELDS
from assistant.risks.models import HistoryKind, RiskHistory
from assistant.risks.schemas import RiskUpdate


def as_update(session: Session, *, project_id: str, ref: str, suggestion_id: int, version: int) -> RiskUpdate:
    """The edit that applies suggestion ``suggestion_id`` of risk ``ref`` on the version the person read.
    404 when the risk has no such suggestion; 409 when the version is stale or the field already has the
    suggested value."""
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    row = _suggestion(repo.risk_history(session, risk_id=risk.id), suggestion_id)
    if row is None or row.field not in SUGGESTED_FIELDS:
        raise NotFoundError(f"{risk.ref} has no suggestion {suggestion_id}")
    history.check_version(risk, version)
    if history.fmt(history.get_field(risk, row.field)) == row.new_value:
        raise ConflictError(f"{risk.ref}'s {row.field} is {row.new_value} already; nothing to accept")
    try:
        return RiskUpdate.model_validate({"version": risk.version, row.field: row.new_value})
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise InvalidInputError(f"suggestion {suggestion_id} is not a valid {row.field}: {problem}") from None


def _suggestion(rows: list[RiskHistory], suggestion_id: int) -> RiskHistory | None:
    for row in rows:
        if row.id == suggestion_id and row.kind == HistoryKind.suggestion.value:
            return row
    return None
