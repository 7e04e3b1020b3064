"""Key and audit use cases; the routes and `assistant keys ...` both call these."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from assistant.auth import keys
from assistant.auth.models import ApiKey
from assistant.auth.roles import Role
from assistant.db import transaction

ADMIN_KEY_FILE = "admin.key"
FIRST_ADMIN_NAME = "first admin key"
FIRST_ADMIN_OWNER = "admin"


@dataclass(frozen=True)
class CreatedKey:
    row: ApiKey
    key: str  # shown once


def create_key(
    sessions: sessionmaker[Session],
    *,
    name: str,
    role: Role,
    owner: str | None = None,
    projects: list[str] | None = None,
    expires_at: dt.datetime | None = None,
) -> CreatedKey:
    with transaction(sessions) as session:
        row, key = keys.create_key(
            session,
            name=name,
            owner=owner or name,
            role=role,
            projects_refs=projects,
            expires_at=expires_at,
        )
        session.expunge(row)  # keys.create_key flushed it
    return CreatedKey(row=row, key=key)


def list_keys(sessions: sessionmaker[Session]) -> list[ApiKey]:
    with sessions() as session:
        rows = keys.list_keys(session)
        session.expunge_all()
    return rows


def revoke_key(sessions: sessionmaker[Session], key_id: str) -> ApiKey:
    with transaction(sessions) as session:
        row = keys.revoke_key(session, key_id)
        session.flush()
        session.expunge(row)
    return row


def ensure_admin_key(sessions: sessionmaker[Session], data_dir: Path) -> str | None:
    """At the first start (no key at all), create an admin key, write it to ``<data dir>/admin.key`` readable by
    its owner only, and return it so the caller prints it once. None when keys exist already."""
    with transaction(sessions) as session:
        if keys.has_keys(session):
            return None
        _row, key = keys.create_key(session, name=FIRST_ADMIN_NAME, owner=FIRST_ADMIN_OWNER, role=Role.admin)
        write_secret(data_dir / ADMIN_KEY_FILE, key)  # inside the transaction: no key without its file
    return key


def write_secret(path: Path, text: str) -> None:
    """Written whole or not at all, never readable by others, even for an instant."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
