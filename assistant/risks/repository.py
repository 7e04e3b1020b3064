"""All SQL of the risk register. Every function takes the session first and everything else by keyword."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from assistant.db import affected_rows, utcnow
from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.risks.lifecycle import REVIEWED_STATES
from assistant.risks.models import (
    HistoryKind,
    NotificationStatus,
    Risk,
    RiskCounter,
    RiskEvidence,
    RiskHistory,
    RiskMitigationAction,
    RiskNotification,
    RiskScannedPassage,
)
from assistant.risks.scoring import Band, band_range

_REF = re.compile(r"^\s*(?:rsk-?)?0*(\d{1,9})\s*$", re.IGNORECASE)


def _score() -> ColumnElement[int]:
    return Risk.probability * Risk.impact


SORT_KEYS: dict[str, ColumnElement[Any] | InstrumentedAttribute[Any]] = {
    "score": _score(),
    "band": _score(),
    "residual_score": Risk.residual_probability * Risk.residual_impact,
    "probability": Risk.probability,
    "impact": Risk.impact,
    "next_review": Risk.next_review,
    "updated_at": Risk.updated_at,
    "created_at": Risk.created_at,
    "id": Risk.number,
    "title": Risk.title,
    "status": Risk.status,
    "owner": Risk.owner,
    "category": Risk.category,
}


def sort_names() -> list[str]:
    return [f"{sign}{name}" for name in SORT_KEYS for sign in ("", "-")]


@dataclass(frozen=True)
class RiskQuery:
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    bands: tuple[Band, ...] = ()
    owner: str | None = None
    overdue: bool | None = None
    document_id: str | None = None
    source: str | None = None
    sort: str = "-score"
    limit: int = 50
    offset: int = 0


def flush(session: Session) -> None:
    """Flush, turning a lost race on a risk's version into a 409 instead of a 500."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            "the risk was changed by someone else at the same time; reload it and apply your change again"
        ) from exc


# ---- ids ---------------------------------------------------------------------------------------------------


def allocate_number(session: Session, *, project_id: str) -> int:
    """The next RSK number of a project. The counter row's UPDATE locks it until commit, so two concurrent
    creators wait for each other instead of taking the same number."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(RiskCounter)
        .values(project_id=project_id, last_number=0)
        .on_conflict_do_nothing(index_elements=["project_id"])
    )
    return int(
        session.execute(
            update(RiskCounter)
            .where(RiskCounter.project_id == project_id)
            .values(last_number=RiskCounter.last_number + 1)
            .returning(RiskCounter.last_number)
        ).scalar_one()
    )


def parse_ref(ref: str) -> int:
    m = _REF.match(ref)
    if m is None:
        raise NotFoundError(f"{ref!r} is not a risk id (RSK-0001 style)")
    return int(m.group(1))


# ---- risks -------------------------------------------------------------------------------------------------


def add_risk(session: Session, *, risk: Risk) -> Risk:
    session.add(risk)
    flush(session)
    return risk


def get_risk(session: Session, *, project_id: str, ref: str) -> Risk:
    number = parse_ref(ref)
    risk = session.scalar(select(Risk).where(Risk.project_id == project_id, Risk.number == number))
    if risk is None:
        raise NotFoundError(f"no risk {ref!r} in project {project_id!r}")
    return risk


def get_risk_by_id(session: Session, *, risk_id: int) -> Risk:
    risk = session.get(Risk, risk_id)
    if risk is None:
        raise NotFoundError(f"no risk with internal id {risk_id}")
    return risk


def project_risks(session: Session, *, project_id: str) -> list[Risk]:
    return list(session.scalars(select(Risk).where(Risk.project_id == project_id).order_by(Risk.number)))


def _overdue(today: dt.date) -> ColumnElement[bool]:
    return and_(
        Risk.next_review.is_not(None),
        Risk.next_review < today,
        Risk.status.in_([s.value for s in REVIEWED_STATES]),
    )


def _filtered(project_id: str, query: RiskQuery, today: dt.date) -> Select[Risk]:
    stmt = select(Risk).where(Risk.project_id == project_id)
    if query.statuses:
        stmt = stmt.where(Risk.status.in_(query.statuses))
    if query.categories:
        stmt = stmt.where(Risk.category.in_(query.categories))
    if query.bands:
        ranges = [band_range(b) for b in query.bands]
        stmt = stmt.where(or_(*(_score().between(lo, hi) for lo, hi in ranges)))
    if query.owner:
        stmt = stmt.where(func.lower(Risk.owner) == query.owner.strip().lower())
    if query.source:
        stmt = stmt.where(Risk.source == query.source)
    if query.overdue is not None:
        stmt = stmt.where(_overdue(today) if query.overdue else not_(_overdue(today)))
    if query.document_id:
        stmt = stmt.where(
            exists().where(RiskEvidence.risk_id == Risk.id, RiskEvidence.document_id == query.document_id)
        )
    return stmt


def list_risks(
    session: Session, *, project_id: str, query: RiskQuery, today: dt.date
) -> tuple[list[Risk], int]:
    stmt = _filtered(project_id, query, today)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    name = query.sort.lstrip("-+")
    if name not in SORT_KEYS:
        raise InvalidInputError(f"cannot sort by {query.sort!r}; use one of: {', '.join(sort_names())}")
    column = SORT_KEYS[name]
    order = column.desc() if query.sort.startswith("-") else column.asc()
    stmt = stmt.order_by(order.nulls_last(), Risk.number).limit(query.limit).offset(query.offset)
    return list(session.scalars(stmt)), total


def overdue_risks(session: Session, *, project_id: str, today: dt.date) -> list[Risk]:
    stmt = (
        select(Risk)
        .where(Risk.project_id == project_id, _overdue(today))
        .order_by(Risk.next_review, Risk.number)
    )
    return list(session.scalars(stmt))


def risks_in_statuses(session: Session, *, project_id: str, statuses: Iterable[str]) -> list[Risk]:
    stmt = select(Risk).where(Risk.project_id == project_id, Risk.status.in_(list(statuses)))
    return list(session.scalars(stmt.order_by(Risk.number)))


# ---- evidence, actions, history ----------------------------------------------------------------------------


def evidence_counts(session: Session, *, risk_ids: list[int]) -> dict[int, int]:
    if not risk_ids:
        return {}
    rows = session.execute(
        select(RiskEvidence.risk_id, func.count())
        .where(RiskEvidence.risk_id.in_(risk_ids))
        .group_by(RiskEvidence.risk_id)
    )
    return {risk_id: int(n) for risk_id, n in rows}


def risk_evidence(session: Session, *, risk_id: int) -> list[RiskEvidence]:
    return list(
        session.scalars(
            select(RiskEvidence)
            .where(RiskEvidence.risk_id == risk_id)
            .order_by(RiskEvidence.created_at, RiskEvidence.id)
        )
    )


def evidence_known(session: Session, *, project_id: str, document_id: str | None, quote_hash: str) -> bool:
    """Whether this quote of this document already backs some risk of the project."""
    stmt = select(RiskEvidence.id).where(
        RiskEvidence.project_id == project_id,
        RiskEvidence.document_id == document_id,
        RiskEvidence.quote_hash == quote_hash,
    )
    return session.scalar(stmt.limit(1)) is not None


def add_evidence(session: Session, *, evidence: RiskEvidence) -> RiskEvidence:
    session.add(evidence)
    flush(session)
    return evidence


def risk_actions(session: Session, *, risk_id: int) -> list[RiskMitigationAction]:
    stmt = select(RiskMitigationAction).where(RiskMitigationAction.risk_id == risk_id)
    return list(session.scalars(stmt.order_by(RiskMitigationAction.id)))


def get_action(session: Session, *, risk_id: int, action_id: int) -> RiskMitigationAction:
    action = session.get(RiskMitigationAction, action_id)
    if action is None or action.risk_id != risk_id:
        raise NotFoundError(f"no mitigation action {action_id} on this risk")
    return action


def add_action(session: Session, *, action: RiskMitigationAction) -> RiskMitigationAction:
    session.add(action)
    flush(session)
    return action


def risk_history(session: Session, *, risk_id: int) -> list[RiskHistory]:
    stmt = select(RiskHistory).where(RiskHistory.risk_id == risk_id)
    return list(session.scalars(stmt.order_by(RiskHistory.at, RiskHistory.id)))


def add_history(session: Session, *, entries: Iterable[RiskHistory]) -> None:
    session.add_all(list(entries))


def suggestion_known(session: Session, *, risk_id: int, field: str, value: str | None) -> bool:
    """Whether the assistant already suggested this value for this field (so a re-scan does not repeat it)."""
    stmt = select(RiskHistory.id).where(
        RiskHistory.risk_id == risk_id,
        RiskHistory.kind == HistoryKind.suggestion.value,
        RiskHistory.field == field,
        RiskHistory.new_value == value if value is not None else RiskHistory.new_value.is_(None),
    )
    return session.scalar(stmt.limit(1)) is not None


# ---- scan marks --------------------------------------------------------------------------------------------


def scanned_hashes(session: Session, *, project_id: str, document_id: str) -> set[str]:
    stmt = select(RiskScannedPassage.passage_hash).where(
        RiskScannedPassage.project_id == project_id, RiskScannedPassage.document_id == document_id
    )
    return set(session.scalars(stmt))


def scanned_counts(session: Session, *, project_id: str, document_ids: list[str]) -> dict[str, int]:
    """Passages a scan has read, per document."""
    rows = session.execute(
        select(RiskScannedPassage.document_id, func.count())
        .where(RiskScannedPassage.project_id == project_id, RiskScannedPassage.document_id.in_(document_ids))
        .group_by(RiskScannedPassage.document_id)
    )
    return {doc: int(n) for doc, n in rows}


def mark_scanned(session: Session, *, project_id: str, document_id: str, counts: dict[str, int]) -> None:
    """Record passages as read; a concurrent scan that got there first makes this flush fail (unique key)."""
    session.add_all(
        RiskScannedPassage(project_id=project_id, document_id=document_id, passage_hash=h, findings=n)
        for h, n in counts.items()
    )
    session.flush()


# ---- webhook outbox ----------------------------------------------------------------------------------------


def add_notification(session: Session, *, notification: RiskNotification) -> RiskNotification:
    session.add(notification)
    flush(session)
    return notification


def pending_notification_ids(session: Session, *, project_id: str | None = None) -> list[int]:
    stmt = select(RiskNotification.id).where(RiskNotification.status == NotificationStatus.pending.value)
    if project_id is not None:
        stmt = stmt.where(RiskNotification.project_id == project_id)
    return list(session.scalars(stmt.order_by(RiskNotification.id)))


def claim_notification(session: Session, *, notification_id: int) -> RiskNotification | None:
    """Take a pending notification for sending; None if another worker took it first."""
    claimed = session.execute(
        update(RiskNotification)
        .where(
            RiskNotification.id == notification_id,
            RiskNotification.status == NotificationStatus.pending.value,
        )
        .values(status=NotificationStatus.sending.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if affected_rows(claimed) != 1:
        return None
    session.expire_all()
    return session.get(RiskNotification, notification_id)


def get_notification(session: Session, *, notification_id: int) -> RiskNotification:
    row = session.get(RiskNotification, notification_id)
    if row is None:
        raise NotFoundError(f"no notification {notification_id}")
    return row


def risk_notifications(session: Session, *, risk_id: int) -> list[RiskNotification]:
    stmt = select(RiskNotification).where(RiskNotification.risk_id == risk_id)
    return list(session.scalars(stmt.order_by(RiskNotification.id)))


def notifications_in(
    session: Session, *, project_id: str, status: str | None = None
) -> list[RiskNotification]:
    stmt = select(RiskNotification).where(RiskNotification.project_id == project_id)
    if status is not None:
        stmt = stmt.where(RiskNotification.status == status)
    return list(session.scalars(stmt.order_by(RiskNotification.id)))


def requeue_notifications(
    session: Session,
    *,
    stuck_before: dt.datetime,
    project_id: str | None = None,
    include_failed: bool = False,
) -> int:
    """Put back as pending what a crashed sender left in 'sending' (and, if asked, what failed)."""
    where = and_(
        RiskNotification.status == NotificationStatus.sending.value,
        RiskNotification.updated_at < stuck_before,
    )
    if include_failed:
        where = or_(where, RiskNotification.status == NotificationStatus.failed.value)
    stmt = update(RiskNotification).where(where)
    if project_id is not None:
        stmt = stmt.where(RiskNotification.project_id == project_id)
    result = session.execute(
        stmt.values(status=NotificationStatus.pending.value).execution_options(synchronize_session=False)
    )
    return affected_rows(result)
