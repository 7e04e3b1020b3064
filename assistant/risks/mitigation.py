"""Mitigation actions: each with owner, due date and status; adding or changing one moves the risk's version on
and writes history."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.errors import InvalidInputError
from assistant.risks import history
from assistant.risks import repository as repo
from assistant.risks.models import HistoryKind, Risk, RiskMitigationAction, RiskSource
from assistant.risks.schemas import ActionCreate, ActionUpdate


def new_action(risk: Risk, item: ActionCreate, *, source: RiskSource) -> RiskMitigationAction:
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
    actor = history.clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    history.check_version(risk, version)
    action = repo.add_action(session, action=new_action(risk, data, source=RiskSource.person))
    risk.updated_at = utcnow()  # the risk changed: its version moves on
    repo.flush(session)
    note = f"owner {data.owner or '-'}, due {data.due_date or '-'}"
    repo.add_history(
        session,
        entries=[
            history.entry(
                risk, actor, HistoryKind.action, field="actions", new_value=action.description, note=note
            )
        ],
    )
    repo.flush(session)
    return risk, action


def update_action(
    session: Session, *, project_id: str, ref: str, action_id: int, data: ActionUpdate, actor: str
) -> tuple[Risk, RiskMitigationAction]:
    actor = history.clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    history.check_version(risk, data.version)
    action = repo.get_action(session, risk_id=risk.id, action_id=action_id)
    entries = []
    for name in ("description", "owner", "due_date", "status"):
        if name not in data.model_fields_set:
            continue
        value = history.plain(getattr(data, name))
        if name in ("description", "status") and value is None:
            raise InvalidInputError(f"{name} of a mitigation action cannot be cleared")
        old = getattr(action, name)
        if old == value:
            continue
        setattr(action, name, value)
        entries.append(
            history.change(risk, actor, HistoryKind.action, f"action[{action.id}].{name}", old, value)
        )
    if entries:
        action.updated_at = risk.updated_at = utcnow()
    repo.flush(session)
    repo.add_history(session, entries=entries)
    repo.flush(session)
    return risk, action
