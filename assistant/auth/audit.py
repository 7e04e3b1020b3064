"""The audit log: every write and every export, who, when, what, from where. Rows are only ever added."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.auth.models import AuditEntry
from assistant.risks.exports import defuse  # names and paths come from clients: no formula runs in a sheet

AUDIT_COLUMNS = ("id", "at", "actor", "key_id", "method", "path", "route", "project_id", "status", "client")


def record(session: Session, entry: AuditEntry) -> None:
    session.add(entry)


def list_entries(
    session: Session,
    *,
    project_id: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Newest first, and how many match in all."""
    query = select(AuditEntry)
    if project_id is not None:
        query = query.where(AuditEntry.project_id == project_id)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def to_csv(entries: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS)
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: defuse(v) if isinstance(v, str) else v for k, v in entry.as_row().items()})
    return out.getvalue()
