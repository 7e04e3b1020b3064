"""The use cases of projects, each its own unit of work."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.projects import repository
from assistant.projects.models import Project

ATTEMPTS = 3  # a lost race is tried again: the next attempt's checks see the winner


def create_project(sessions: sessionmaker[Session], *, name: str, description: str | None = None) -> Project:
    """Create a project and commit it before returning, so whoever is told it exists can read it at once.

    Of two people creating one name at the same moment, one gets the project and the other a ConflictError
    (HTTP 409) saying the name is taken; of two different names that would get the same id, the later takes
    the next free id."""
    for _ in range(ATTEMPTS - 1):
        try:
            with transaction(sessions) as session:
                return repository.create_project(session, name=name, description=description)
        except repository.CreateRaceLost:
            continue
    with transaction(sessions) as session:
        return repository.create_project(session, name=name, description=description)
