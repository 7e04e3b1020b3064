from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, UTCDateTime, utcnow


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class FileStatus(StrEnum):
    queued = "queued"
    reading = "reading"
    indexed = "indexed"
    unchanged = "unchanged"
    failed = "failed"


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="ingest")
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.queued.value)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class JobFile(Base):
    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default=FileStatus.queued.value)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    document_id: Mapped[str | None] = mapped_column(String(40), default=None)
    # Where the uploaded bytes wait until the worker reads them; removed once the file is done.
    staged_path: Mapped[str | None] = mapped_column(Text, default=None)
    doc_type: Mapped[str | None] = mapped_column(String(20), default=None)
