"""Register tables: risks, their evidence, mitigation actions, history, id counters, scan marks and webhooks.

Tables are created by migration 0002_risks only; tests check that these models and the migration agree.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, UTCDateTime, utcnow
from assistant.risks.scoring import band, score


class RiskCategory(StrEnum):
    technical_interface = "technical_interface"
    requirement_change = "requirement_change"
    schedule = "schedule"
    cost = "cost"
    vendor = "vendor"
    resource = "resource"
    data_migration = "data_migration"
    security_compliance = "security_compliance"
    test_environment = "test_environment"
    user_adoption = "user_adoption"
    stakeholder = "stakeholder"
    legal_regulatory = "legal_regulatory"
    other = "other"


CATEGORY_LABELS: dict[RiskCategory, str] = {
    RiskCategory.technical_interface: "technical / interface compatibility",
    RiskCategory.requirement_change: "requirement change",
    RiskCategory.schedule: "schedule",
    RiskCategory.cost: "cost",
    RiskCategory.vendor: "vendor / third party",
    RiskCategory.resource: "resource and knowledge loss",
    RiskCategory.data_migration: "data migration",
    RiskCategory.security_compliance: "security and compliance (等保2.0, GDPR)",
    RiskCategory.test_environment: "test environment",
    RiskCategory.user_adoption: "user adoption",
    RiskCategory.stakeholder: "stakeholder conflict",
    RiskCategory.legal_regulatory: "legal / regulatory",
    RiskCategory.other: "other",
}


class RiskType(StrEnum):
    threat = "threat"
    opportunity = "opportunity"


class ResponseStrategy(StrEnum):
    avoid = "avoid"
    mitigate = "mitigate"
    transfer = "transfer"
    accept = "accept"
    escalate = "escalate"
    exploit = "exploit"
    share = "share"
    enhance = "enhance"


STRATEGIES_BY_TYPE: dict[RiskType, frozenset[ResponseStrategy]] = {
    RiskType.threat: frozenset(
        {
            ResponseStrategy.avoid,
            ResponseStrategy.mitigate,
            ResponseStrategy.transfer,
            ResponseStrategy.accept,
            ResponseStrategy.escalate,
        }
    ),
    RiskType.opportunity: frozenset(
        {
            ResponseStrategy.exploit,
            ResponseStrategy.share,
            ResponseStrategy.enhance,
            ResponseStrategy.accept,
            ResponseStrategy.escalate,
        }
    ),
}


class RiskSource(StrEnum):
    ai = "ai"
    person = "person"


class HistoryKind(StrEnum):
    created = "created"
    changed = "changed"
    transition = "transition"
    suggestion = "suggestion"
    evidence = "evidence"
    action = "action"
    notification = "notification"
    dismissed = "dismissed"  # a person rejected one of the assistant's suggestions


class EvidenceSignal(StrEnum):
    """What a quote says about its risk: that it exists (``risk``), or that it changed since."""

    risk = "risk"
    resolved = "resolved"
    occurred = "occurred"
    less_likely = "less_likely"
    more_likely = "more_likely"
    worse = "worse"


class ActionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class NotificationStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"


ASSISTANT_ACTOR = "assistant"


def format_ref(number: int) -> str:
    return f"RSK-{number:04d}"


class RiskCounter(Base):
    """The last number handed out per project: an UPDATE on one row serialises concurrent creators."""

    __tablename__ = "risk_counters"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Risk(Base):
    __tablename__ = "risks"
    __table_args__ = (
        UniqueConstraint("project_id", "number", name="uq_risks_project_number"),
        CheckConstraint("probability BETWEEN 1 AND 5", name="ck_risks_probability"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="ck_risks_impact"),
        CheckConstraint("residual_probability BETWEEN 1 AND 5", name="ck_risks_residual_probability"),
        CheckConstraint("residual_impact BETWEEN 1 AND 5", name="ck_risks_residual_impact"),
        Index("ix_risks_project_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    cause: Mapped[str | None] = mapped_column(Text, default=None)
    event: Mapped[str | None] = mapped_column(Text, default=None)
    effect: Mapped[str | None] = mapped_column(Text, default=None)
    risk_type: Mapped[str] = mapped_column(String(20), default=RiskType.threat.value)
    category: Mapped[str] = mapped_column(String(40), default=RiskCategory.other.value)
    probability: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    residual_probability: Mapped[int | None] = mapped_column(Integer, default=None)
    residual_impact: Mapped[int | None] = mapped_column(Integer, default=None)
    owner: Mapped[str | None] = mapped_column(String(200), default=None)
    response: Mapped[str | None] = mapped_column(String(20), default=None)
    contingency: Mapped[str | None] = mapped_column(Text, default=None)
    contingency_trigger: Mapped[str | None] = mapped_column(Text, default=None)
    next_review: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # 风险登记册 fields (migration 0009): 识别日期, 计划关闭日期, 受影响的 WBS/里程碑 (free text until plans link).
    identified_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    planned_close: Mapped[dt.date | None] = mapped_column(Date, default=None)
    affected: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    # Field names a person has set: the assistant never writes them again, it only suggests.
    person_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    linked_requirements: Mapped[list[str]] = mapped_column(JSON, default=list)
    linked_interfaces: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # The UPDATE carries "WHERE version = :old", so two writers that both read version n cannot both win.
    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    @property
    def ref(self) -> str:
        return format_ref(self.number)

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def band(self) -> str:
        return str(band(self.score))

    @property
    def residual_score(self) -> int | None:
        return score(self.residual_probability, self.residual_impact)

    @property
    def residual_band(self) -> str | None:
        value = band(self.residual_score)
        return None if value is None else str(value)


class RiskEvidence(Base):
    """A quoted passage behind a risk. Keeps its own copy of the quote and file name, so deleting or
    re-indexing the document never takes the evidence away."""

    __tablename__ = "risk_evidence"
    __table_args__ = (
        UniqueConstraint("risk_id", "document_id", "quote_hash", name="uq_risk_evidence_quote"),
        Index("ix_risk_evidence_project_document", "project_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str | None] = mapped_column(String(40), default=None)
    file_name: Mapped[str | None] = mapped_column(String(1000), default=None)
    chunk_id: Mapped[str | None] = mapped_column(String(120), default=None)
    page: Mapped[int | None] = mapped_column(Integer, default=None)
    section: Mapped[str | None] = mapped_column(Text, default=None)
    quote: Mapped[str] = mapped_column(Text)
    quote_hash: Mapped[str] = mapped_column(String(64))
    # The document's own date (meeting, mail) orders the timeline; the signal says what the quote reports.
    document_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    signal: Mapped[str] = mapped_column(
        String(20), default=EvidenceSignal.risk.value, server_default=EvidenceSignal.risk.value
    )
    added_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RiskMitigationAction(Base):
    __tablename__ = "risk_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200), default=None)
    due_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.planned.value)
    source: Mapped[str] = mapped_column(String(10), default=RiskSource.person.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RiskHistory(Base):
    __tablename__ = "risk_history"
    __table_args__ = (Index("ix_risk_history_risk_at", "risk_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(60), default=None)
    old_value: Mapped[str | None] = mapped_column(Text, default=None)
    new_value: Mapped[str | None] = mapped_column(Text, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)


class RiskScannedPassage(Base):
    """A passage the LLM has already read, by content hash: scanning the same text again costs nothing."""

    __tablename__ = "risk_scanned_passages"
    __table_args__ = (
        UniqueConstraint("project_id", "document_id", "passage_hash", name="uq_risk_scanned_passage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    passage_hash: Mapped[str] = mapped_column(String(64))
    findings: Mapped[int] = mapped_column(Integer, default=0)
    scanned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RiskNotification(Base):
    """An outbox row written with the change: a failed delivery stays here with its error."""

    __tablename__ = "risk_notifications"
    __table_args__ = (Index("ix_risk_notifications_status", "status", "project_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=NotificationStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
