"""A person moves a risk through its lifecycle: the move lifecycle.py allows, on the version they read, with a
history row. (The scan never moves a risk.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.risks import history
from assistant.risks import repository as repo
from assistant.risks.lifecycle import RiskAction, next_status
from assistant.risks.models import HistoryKind, Risk


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
    actor = history.clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    history.check_version(risk, version)
    target = next_status(risk.status, action, ref=risk.ref)
    old = risk.status
    risk.status, risk.updated_at = target.value, utcnow()
    repo.flush(session)
    repo.add_history(
        session,
        entries=[
            history.entry(
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
