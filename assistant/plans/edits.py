"""Plans changed by people: every field they send becomes theirs (a redraft only adds and suggests there),
every change is a history row, an edit made on a stale version is refused, and a suggestion is taken or
turned down by a person."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.plans import merge
from assistant.plans import repository as repo
from assistant.plans.facts import PlanContent
from assistant.plans.models import HistoryKind, Plan, PlanHistory, PlanSuggestion, SuggestionStatus
from assistant.plans.schemas import PlanUpdate
from assistant.risks.history import clean_actor


def fmt(value: Any) -> str | None:
    """A value as the history keeps it: JSON (text stays text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def entry(plan: Plan, actor: str, kind: HistoryKind, **values: Any) -> PlanHistory:
    """One history row (field, old_value, new_value, note as keywords), stamped now."""
    return PlanHistory(
        plan_id=plan.id, project_id=plan.project_id, actor=actor, kind=kind.value, at=utcnow(), **values
    )


def check_version(plan: Plan, version: int | None) -> None:
    """The optimistic lock: a change made on a stale read is refused before it touches anything."""
    if version is not None and version != plan.version:
        raise ConflictError(
            f"plan {plan.id} is at version {plan.version} but you sent version {version}: someone changed it "
            "since you read it; reload it and apply your change again"
        )


def _as_json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def update_plan(session: Session, *, project_id: str, plan_id: str, data: PlanUpdate, actor: str) -> Plan:
    actor = clean_actor(actor)
    plan = repo.get_plan(session, project_id=project_id, plan_id=plan_id)
    check_version(plan, data.version)
    empty = PlanContent().model_dump(mode="json")
    content = dict(plan.content or empty)
    touched = set(plan.person_fields or [])
    entries = []
    for name, value in data.changes().items():
        touched.add(name)  # sent with the same value still says "a person decided this"
        if name == "title":
            if value is None:
                raise InvalidInputError("title cannot be cleared")
            if value != plan.title:
                entries.append(
                    entry(plan, actor, HistoryKind.changed, field=name, old_value=plan.title, new_value=value)
                )
                plan.title = value
            continue
        new = _as_json(value) if value is not None else empty[name]  # null empties a list
        old = content.get(name, empty[name])
        if json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True):
            continue
        content[name] = new
        entries.append(
            entry(plan, actor, HistoryKind.changed, field=name, old_value=fmt(old), new_value=fmt(new))
        )
    plan.content = content  # a new dict: the JSON column sees the change
    if touched != set(plan.person_fields or []):
        plan.person_fields = sorted(touched)
    if entries:
        plan.updated_at = utcnow()
    repo.flush(session)
    repo.add_history(session, entries=entries)
    repo.flush(session)
    return plan


def _pending(session: Session, plan: Plan, suggestion_id: int) -> PlanSuggestion:
    row = repo.get_suggestion(session, plan_id=plan.id, suggestion_id=suggestion_id)
    if row is None:
        raise NotFoundError(f"plan {plan.id} has no suggestion {suggestion_id}")
    if row.status != SuggestionStatus.pending.value:
        raise ConflictError(f"suggestion {suggestion_id} was {row.status} by {row.decided_by} already")
    return row


def accept_suggestion(
    session: Session, *, project_id: str, plan_id: str, suggestion_id: int, version: int, actor: str
) -> Plan:
    """The suggested item (or value) goes into the plan as a person's change: the person is the actor and the
    field stays theirs."""
    actor = clean_actor(actor)
    plan = repo.get_plan(session, project_id=project_id, plan_id=plan_id)
    check_version(plan, version)
    row = _pending(session, plan, suggestion_id)
    content = merge.apply(dict(plan.content or {}), row.field, row.item_key, row.new_value)
    try:
        checked = PlanContent.model_validate(content)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise InvalidInputError(f"suggestion {suggestion_id} does not fit the plan: {problem}") from None
    old = (plan.content or {}).get(row.field)
    plan.content = checked.model_dump(mode="json")
    plan.person_fields = sorted({*(plan.person_fields or []), row.field})
    plan.updated_at = utcnow()
    row.status, row.decided_by, row.decided_at = SuggestionStatus.accepted.value, actor, utcnow()
    repo.flush(session)
    repo.add_history(
        session,
        entries=[
            entry(
                plan,
                actor,
                HistoryKind.accepted,
                field=row.field,
                old_value=fmt(old),
                new_value=fmt(plan.content.get(row.field)),
                note=f"suggestion {row.id}" + (f" ({row.item_key})" if row.item_key else ""),
            )
        ],
    )
    repo.flush(session)
    return plan


def reject_suggestion(
    session: Session, *, project_id: str, plan_id: str, suggestion_id: int, version: int, actor: str
) -> Plan:
    """The plan stays as it is; the suggestion is closed and never made again."""
    actor = clean_actor(actor)
    plan = repo.get_plan(session, project_id=project_id, plan_id=plan_id)
    check_version(plan, version)
    row = _pending(session, plan, suggestion_id)
    row.status, row.decided_by, row.decided_at = SuggestionStatus.rejected.value, actor, utcnow()
    repo.add_history(
        session,
        entries=[
            entry(
                plan,
                actor,
                HistoryKind.rejected,
                field=row.field,
                new_value=fmt(row.new_value),
                note=f"suggestion {row.id}" + (f" ({row.item_key})" if row.item_key else ""),
            )
        ],
    )
    repo.flush(session)
    return plan
