"""Browser sessions made from a key: the cookie holds a random value, the table only its SHA-256, and each
session has its own CSRF token that every write from the browser must echo in a header."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from assistant.auth.models import ApiKey, WebSession
from assistant.db import utcnow


@dataclass(frozen=True)
class NewSession:
    cookie: str  # goes to the browser only, never stored
    csrf: str
    expires_at: dt.datetime


def _id(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def create_session(session: Session, *, key_id: str, hours: int) -> NewSession:
    now = utcnow()
    # Expired sessions are swept here, at sign-in, rather than by a timer.
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires_at = now + dt.timedelta(hours=hours)
    session.add(WebSession(id=_id(cookie), key_id=key_id, csrf=csrf, created_at=now, expires_at=expires_at))
    session.flush()
    return NewSession(cookie=cookie, csrf=csrf, expires_at=expires_at)


def find_session(session: Session, cookie: str) -> tuple[WebSession, ApiKey] | None:
    """The live session behind a cookie and its key; None when unknown or expired."""
    row = session.get(WebSession, _id(cookie))
    if row is None or row.expires_at <= utcnow():
        return None
    key = session.get(ApiKey, row.key_id)
    return (row, key) if key is not None else None


def end_session(session: Session, cookie: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == _id(cookie)))


def end_sessions_of(session: Session, key_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.key_id == key_id))
