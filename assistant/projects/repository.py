"""All SQL for projects."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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


class CreateRaceLost(ConflictError):
    """The insert lost a race: another writer took the name or the id after this one checked them."""


def create_project(session: Session, *, name: str, description: str | None = None) -> Project:
    """A new project in ``session`` (flushed, not committed). A name taken, or the id of another project
    (a path could not tell the two apart), is a ConflictError; so is losing a race for the name or the id
    (CreateRaceLost: ``service.create_project`` tries again, and then sees who won)."""
    name = name.strip()
    if not name:
        raise InvalidInputError("project name is empty")
    if len(name) > MAX_NAME:
        raise InvalidInputError(f"project name is {len(name)} characters, over the {MAX_NAME} allowed")
    if session.scalar(select(Project).where(Project.name == name)) is not None:
        raise ConflictError(f"a project named {name!r} already exists")
    holder = session.get(Project, name)
    if holder is not None:
        raise ConflictError(
            f"{name!r} is the id of the project {holder.name!r}, so paths could not tell the two apart; "
            "choose another name"
        )
    project_id = make_project_id(name)
    base, n = project_id, 2
    while _find(session, project_id) is not None:  # nor another project's name: ids and names share paths
        project_id, n = f"{base}-{n}", n + 1
    project = Project(id=project_id, name=name, description=description)
    session.add(project)
    try:
        session.flush()
    except IntegrityError as exc:  # the unique name or the primary key, taken since the checks above
        raise CreateRaceLost(
            f"another project named {name!r} (or with the id {project_id!r}) was created at the same moment"
        ) from exc
    return project


def missing_project_message(ref: str) -> str:
    """Also what a key that does not cover a project is told: the same sentence, so it learns nothing."""
    return f"no project {ref!r}; create it first (POST /projects or `assistant projects create`)"


def _find(session: Session, ref: str) -> Project | None:
    """By id, else by exact name: an id always reaches its own project, whatever others are named."""
    return session.get(Project, ref) or session.scalar(select(Project).where(Project.name == ref))


def get_project(session: Session, *, ref: str) -> Project:
    """Find a project by id or by exact name (the id wins where one project's name is another's id)."""
    project = _find(session, ref)
    if project is None:
        raise NotFoundError(missing_project_message(ref))
    return project


def list_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.created_at, Project.id)))


def get_or_create_project(session: Session, *, name: str) -> Project:
    return _find(session, name) or create_project(session, name=name)
