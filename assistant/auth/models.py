from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, UTCDateTime, utcnow


class ApiKey(Base):
    """A key's secret is never stored: only a salted HMAC-SHA256 of the whole key (keys are 256-bit random,
    so a slow password hash would add latency to every request and no safety)."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    projects: Mapped[list[str] | None] = mapped_column(JSON, default=None)  # None: every project
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie value
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str | None] = mapped_column(String(40), default=None)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    route: Mapped[str | None] = mapped_column(String(200), default=None)
    project_id: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    status: Mapped[int] = mapped_column(Integer)
    client: Mapped[str | None] = mapped_column(String(100), default=None)

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "key_id": self.key_id,
            "method": self.method,
            "path": self.path,
            "route": self.route,
            "project_id": self.project_id,
            "status": self.status,
            "client": self.client,
        }
