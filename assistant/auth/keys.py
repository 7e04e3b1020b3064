"""API keys: created (the secret shown once), checked on every request, listed, revoked.

A key reads ``ra_<id>_<secret>``: the id finds the row, the salted HMAC-SHA256 of the whole key is compared in
constant time. Keys are 256-bit random values, so a fast keyed hash is as safe as a slow password hash here and
adds no latency to each request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.auth.models import ApiKey
from assistant.auth.roles import Role, allows
from assistant.auth.sessions import end_sessions_of
from assistant.db import utcnow
from assistant.errors import InvalidInputError, NotFoundError, UnauthenticatedError
from assistant.projects import repository as projects
from assistant.risks.models import ASSISTANT_ACTOR

KEY_PREFIX = "ra_"
# last_used_at is written at most this often per key, so reads do not turn into a write each.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key's owner with its role and projects (None: every project)."""

    owner: str
    role: Role
    projects: frozenset[str] | None
    key_id: str | None = None

    def may(self, needed: Role) -> bool:
        return allows(self.role, needed)

    def covers(self, project_id: str) -> bool:
        return self.projects is None or project_id in self.projects


def _digest(salt: str, key: str) -> str:
    return hmac.new(bytes.fromhex(salt), key.encode(), hashlib.sha256).hexdigest()


def create_key(
    session: Session,
    *,
    name: str,
    owner: str,
    role: Role,
    projects_refs: list[str] | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """The stored key and the key itself, which is never available again."""
    name, owner = name.strip(), owner.strip()
    if not name or not owner:
        raise InvalidInputError("a key needs a name and an owner")
    if owner == ASSISTANT_ACTOR:
        raise InvalidInputError(f"owner {owner!r} is reserved for the automatic scan")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=dt.UTC)
        if expires_at <= utcnow():
            raise InvalidInputError(f"expires_at {expires_at.isoformat()} is in the past")
    project_ids = None
    if projects_refs is not None:
        project_ids = sorted({_project_id(session, ref) for ref in projects_refs})
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_hex(16)
    row = ApiKey(
        id=key_id,
        name=name,
        owner=owner,
        role=role.value,
        projects=project_ids,
        salt=salt,
        digest=_digest(salt, key),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, key


def _project_id(session: Session, ref: str) -> str:
    try:
        return projects.get_project(session, ref=ref).id
    except NotFoundError:
        raise InvalidInputError(f"projects: no project {ref!r}") from None


def authenticate(session: Session, key: str) -> Principal:
    """The principal behind a key, or UnauthenticatedError saying why (never which part was wrong)."""
    row = _find(session, key)
    if row is None or not hmac.compare_digest(row.digest, _digest(row.salt, key)):
        raise UnauthenticatedError("the API key is not valid")
    return authenticate_row(row)


def authenticate_row(row: ApiKey) -> Principal:
    """A key found by its secret or through a browser session: still valid now?"""
    now = utcnow()
    if row.revoked_at is not None:
        raise UnauthenticatedError("the API key has been revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise UnauthenticatedError("the API key has expired")
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return principal_of(row)


def _find(session: Session, key: str) -> ApiKey | None:
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, _, secret = key.removeprefix(KEY_PREFIX).partition("_")
    if not key_id or not secret:
        return None
    return session.get(ApiKey, key_id)


def principal_of(row: ApiKey) -> Principal:
    return Principal(
        owner=row.owner,
        role=Role(row.role),
        projects=frozenset(row.projects) if row.projects is not None else None,
        key_id=row.id,
    )


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def get_key(session: Session, key_id: str) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFoundError(f"no API key {key_id!r}")
    return row


def revoke_key(session: Session, key_id: str) -> ApiKey:
    """Revoked keys stay listed (the history and the audit log name them); their sessions end now."""
    row = get_key(session, key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    end_sessions_of(session, key_id)
    return row


def has_keys(session: Session) -> bool:
    return session.scalar(select(ApiKey.id).limit(1)) is not None
