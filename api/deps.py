from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from api.container import Container
from assistant.db import transaction
from assistant.projects import repository as projects
from assistant.projects.models import Project
from assistant.settings import Settings


def get_container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_settings_dep(container: ContainerDep) -> Settings:
    return container.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(container: ContainerDep) -> Iterator[Session]:
    with transaction(container.sessions) as session:
        yield session


# scope="function": the commit runs before the response is sent, so a reply never reports a write that a failed
# commit then lost, and a client's next request finds it (FastAPI runs a request-scoped exit after sending).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_project_dep(
    request: Request,
    container: ContainerDep,
    project: Annotated[str, Path(description="Project id or exact project name.")],
) -> Project:
    found = getattr(request.state, "project", None)  # api/auth.py read it when it checked the key's projects
    if isinstance(found, Project):
        return found
    with container.sessions() as session:
        return projects.get_project(session, ref=project)


ProjectDep = Annotated[Project, Depends(get_project_dep)]
