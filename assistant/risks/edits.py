"""Risks created and edited by people: every field they send becomes theirs (the scan only suggests other values
for it), every change is a history row, and an edit made on a stale version is refused."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.errors import InvalidInputError
from assistant.risks import history
from assistant.risks import repository as repo
from assistant.risks.alerts import queue_alert
from assistant.risks.lifecycle import RiskStatus
from assistant.risks.mitigation import new_action
from assistant.risks.models import (
    STRATEGIES_BY_TYPE,
    HistoryKind,
    ResponseStrategy,
    Risk,
    RiskSource,
    RiskType,
)
from assistant.risks.schemas import RiskCreate, RiskUpdate
from assistant.risks.scoring import Band
from assistant.risks.settings import RiskSettings


def check_strategy(risk_type: str, response: str | None) -> None:
    """Avoid/mitigate/transfer are for threats, exploit/share/enhance for opportunities."""
    if response is None:
        return
    allowed = STRATEGIES_BY_TYPE[RiskType(risk_type)]
    if ResponseStrategy(response) not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise InvalidInputError(f"response {response!r} does not fit a {risk_type}; use one of: {names}")


def create_risk(
    session: Session, *, project_id: str, data: RiskCreate, actor: str, settings: RiskSettings
) -> Risk:
    actor = history.clean_actor(actor)
    check_strategy(data.type.value, data.response.value if data.response else None)
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
            history.set_field(risk, name, value)
    # Everything a person typed in is theirs; defaults they did not send are not.
    risk.person_fields = sorted(
        f for f in data.model_fields_set if f != "actions" and given.get(f) is not None
    )
    repo.add_risk(session, risk=risk)
    entries = [
        history.entry(
            risk, actor, HistoryKind.created, field="status", new_value=risk.status, note="created by hand"
        )
    ]
    for item in data.actions:
        repo.add_action(session, action=new_action(risk, item, source=RiskSource.person))
        entries.append(
            history.entry(risk, actor, HistoryKind.action, field="actions", new_value=item.description)
        )
    repo.add_history(session, entries=entries)
    queue_alert(session, risk, old_band=None, actor=actor, settings=settings)
    repo.flush(session)
    return risk


def update_risk(
    session: Session,
    *,
    project_id: str,
    ref: str,
    data: RiskUpdate,
    actor: str,
    settings: RiskSettings,
    note: str | None = None,
) -> Risk:
    actor = history.clean_actor(actor)
    risk = repo.get_risk(session, project_id=project_id, ref=ref)
    history.check_version(risk, data.version)
    old_band = Band(risk.band)
    changes = {name: history.plain(value) for name, value in data.changes().items()}
    check_strategy(changes.get("type", risk.risk_type), changes.get("response", risk.response))
    entries = []
    touched = set(risk.person_fields or [])
    for name, value in changes.items():
        old = history.get_field(risk, name)
        touched.add(name)  # edited to the same value still says "a person decided this"
        if old == value:
            continue
        history.set_field(risk, name, value)
        entries.append(history.change(risk, actor, HistoryKind.changed, name, old, value, note=note))
    if touched != set(risk.person_fields or []):
        risk.person_fields = sorted(touched)
    if entries:
        risk.updated_at = utcnow()
    repo.flush(session)
    repo.add_history(session, entries=entries)
    queue_alert(session, risk, old_band=old_band, actor=actor, settings=settings)
    repo.flush(session)
    return risk
