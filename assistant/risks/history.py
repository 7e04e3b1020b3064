"""Who changed what: the actor of a change, field values read and written by their API names, the history row
every change writes, and the optimistic-lock check that comes before a change."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Any

from assistant.db import utcnow
from assistant.errors import ConflictError, InvalidInputError
from assistant.risks.models import ASSISTANT_ACTOR, HistoryKind, Risk, RiskHistory
from assistant.risks.schemas import COLUMN_OF

DEFAULT_ACTOR = "api"
MAX_ACTOR = 200


def clean_actor(actor: str | None) -> str:
    """Who makes a change. 'assistant' is reserved: history must tell people and the scan apart."""
    value = (actor or "").strip() or DEFAULT_ACTOR
    if len(value) > MAX_ACTOR:
        raise InvalidInputError(f"actor is {len(value)} characters, over the {MAX_ACTOR} allowed")
    if value.lower() == ASSISTANT_ACTOR:
        raise InvalidInputError(f"actor {ASSISTANT_ACTOR!r} is reserved for the automatic scan")
    return value


def fmt(value: Any) -> str | None:
    """A value as the history keeps it: text, dates in ISO form, lists as JSON."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return json.dumps([fmt(v) for v in value], ensure_ascii=False)
    return str(value)


def plain(value: Any) -> Any:
    """A value as a column stores it: enums by their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def get_field(risk: Risk, name: str) -> Any:
    """A field by its API name (``type``, ``trigger`` ...)."""
    return getattr(risk, COLUMN_OF.get(name, name))


def set_field(risk: Risk, name: str, value: Any) -> None:
    setattr(risk, COLUMN_OF.get(name, name), plain(value))


def entry(risk: Risk, actor: str, kind: HistoryKind, **values: Any) -> RiskHistory:
    """One history row (field, old_value, new_value, note as keywords), stamped now."""
    return RiskHistory(
        risk_id=risk.id, project_id=risk.project_id, actor=actor, kind=kind.value, at=utcnow(), **values
    )


def change(
    risk: Risk, actor: str, kind: HistoryKind, field: str, old: Any, new: Any, *, note: str | None = None
) -> RiskHistory:
    """The history row of one field going from ``old`` to ``new`` (changed, or only suggested)."""
    return entry(risk, actor, kind, field=field, old_value=fmt(old), new_value=fmt(new), note=note)


def check_version(risk: Risk, version: int | None) -> None:
    """The optimistic lock: a change made on a stale read is refused before it touches anything."""
    if version is not None and version != risk.version:
        raise ConflictError(
            f"{risk.ref} is at version {risk.version} but you sent version {version}: someone changed it "
            "since you read it; reload it and apply your change again"
        )
