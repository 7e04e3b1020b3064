"""All SQL for projects."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.projects.models import Project

_SLUG_OK = re.compile(r"[^a-z0-9]+")
MAX_NAME = 200


def make_project_id(name: str) -> str:
    """An ASCII id that is also a valid Chroma collection name, even for Chinese names."""
    slug = _SLUG_OK.sub("-", name.lower()).strip("-")[:40].strip("-")
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    if len(slug) < 3 or slug != name.lower().strip().replace(" ", "-"):
        # Non-ASCII or lossy names keep the readable part and get a hash, so two Chinese names never collide.
        return f"{slug}-{digest}" if len(slug) >= 3 else f"p-{digest}"
    return slug


def create_project(session: Session, *, name: str, description: str | None = None) -> Project:
    name = name.strip()
    if not name:
        raise InvalidInputError("project name is empty")
    if len(name) > MAX_NAME:
        raise InvalidInputError(f"project name is {len(name)} characters, over the {MAX_NAME} allowed")
    if session.scalar(select(Project).where(Project.name == name)) is not None:
        raise ConflictError(f"a project named {name!r} already exists")
    project_id = make_project_id(name)
    base, n = project_id, 2
    while session.get(Project, project_id) is not None:
        project_id, n = f"{base}-{n}", n + 1
    project = Project(id=project_id, name=name, description=description)
    session.add(project)
    session.flush()
    return project


def missing_project_message(ref: str) -> str:
    """Also what a key that does not cover a project is told: the same sentence, so it learns nothing."""
    return f"no project {ref!r}; create it first (POST /projects or `assistant projects create`)"


def get_project(session: Session, *, ref: str) -> Project:
    """Find a project by id or by exact name."""
    project = session.scalar(select(Project).where(or_(Project.id == ref, Project.name == ref)))
    if project is None:
        raise NotFoundError(missing_project_message(ref))
    return project


def list_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.created_at, Project.id)))


def get_or_create_project(session: Session, *, name: str) -> Project:
    project = session.scalar(select(Project).where(or_(Project.id == name, Project.name == name)))
    return project or create_project(session, name=name)
