"""Plan tables: the plan (its body as one JSON document), its history and the redraft's suggestions.

Tables are created by migration 0008_plans only; tests check that these models and the migration agree.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, UTCDateTime, utcnow


class HistoryKind(StrEnum):
    created = "created"  # the request: status drafting
    drafted = "drafted"  # a draft or redraft finished and was written
    failed = "failed"  # a draft or redraft failed; the body is as it was
    changed = "changed"  # a person changed a field
    suggestion = "suggestion"  # a redraft would have changed a person's field
    accepted = "accepted"  # a person took a suggestion
    rejected = "rejected"  # a person turned a suggestion down


class SuggestionStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_project_created", "project_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    # PlanContent as JSON: written whole, in one transaction, when a draft ends or a person edits.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The assistant's last draft as it wrote it, before people's edits: a redraft compares against it to
    # tell an item a person removed (not added back) from one the documents newly state (added).
    drafted: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Fields a person has set: a redraft never writes them again, it adds new items and suggests.
    person_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    five_why_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    job_id: Mapped[str | None] = mapped_column(String(40), default=None)
    # What the last draft cost: seconds, LLM calls and tokens (shown to people; the bench reads it).
    draft_stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    drafted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # The UPDATE carries "WHERE version = :old", so two writers that both read version n cannot both win.
    __mapper_args__: dict[str, Any] = {"version_id_col": version}


class PlanHistory(Base):
    __tablename__ = "plan_history"
    __table_args__ = (Index("ix_plan_history_plan_at", "plan_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(60), default=None)
    old_value: Mapped[str | None] = mapped_column(Text, default=None)
    new_value: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)


class PlanSuggestion(Base):
    """What a redraft would have changed in a field a person owns: one item (by its key) or a whole value,
    pending until a person accepts or rejects it. The same value is never suggested twice."""

    __tablename__ = "plan_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(60))
    # The item within a list field (an interface id, a phase name ...); None: the field's whole value.
    item_key: Mapped[str | None] = mapped_column(String(300), default=None)
    # None as old: the item is new; None as new: the redraft no longer finds the item.
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    value_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(20), default=SuggestionStatus.pending.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
