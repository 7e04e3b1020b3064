from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, UTCDateTime, utcnow


class FiveWhyAnalysis(Base):
    __tablename__ = "five_why_analyses"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text, default=None)
    language: Mapped[str] = mapped_column(String(10))
    result: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200), default="api")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
