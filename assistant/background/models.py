from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, UTCDateTime, utcnow


class TaskStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Task(Base):
    """One unit of background work. It lives in the database, not in memory, so a restart loses nothing:
    queued tasks wait for the next start and a task that was running when the process died runs again (every
    handler is written to be re-run: ingestion resumes at the files not yet done, a scan skips the passages
    it has read)."""

    __tablename__ = "background_tasks"
    __table_args__ = (Index("ix_background_tasks_queue_status", "queue", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    queue: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    # Tasks with the same queue, name and key are one piece of work: submitting it again while it waits
    # changes nothing (a document indexed twice before its scan starts is scanned once).
    key: Mapped[str | None] = mapped_column(String(200), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.queued.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # How far the running task has got, in its own units (a scan: passages), when it says so.
    done: Mapped[int | None] = mapped_column(Integer, default=None)
    total: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
