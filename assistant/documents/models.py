from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, UTCDateTime, utcnow


class DocumentType(StrEnum):
    meeting = "meeting"
    email = "email"
    spec = "spec"
    other = "other"


class DocumentStatus(StrEnum):
    queued = "queued"
    reading = "reading"
    indexed = "indexed"
    failed = "failed"


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("project_id", "file_name", name="uq_documents_project_file"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    size: Mapped[int] = mapped_column(Integer, default=0)
    doc_type: Mapped[str] = mapped_column(String(20), default=DocumentType.other.value)
    doc_type_overridden: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str | None] = mapped_column(String(10), default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)
    doc_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.queued.value)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    page_count: Mapped[int | None] = mapped_column(Integer, default=None)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    # The version whose chunks readers see; flipping it in one commit swaps old chunks for new atomically.
    active_version: Mapped[str | None] = mapped_column(String(80), default=None)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    indexed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Chunk(Base):
    __tablename__ = "chunks"
    __table_args__ = (Index("ix_chunks_document_version", "document_id", "version"),)

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text)
    # Chinese character pairs for the second keyword ranking ('' for text without Chinese).
    bigrams: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[int | None] = mapped_column(Integer, default=None)
    section: Mapped[str | None] = mapped_column(Text, default=None)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
