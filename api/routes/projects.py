from __future__ import annotations

from fastapi import APIRouter, status

from api.auth import PrincipalDep
from api.deps import ContainerDep, ProjectDep, SessionDep
from api.schemas import ProjectCreate, ProjectList, ProjectPublic
from assistant.documents import repository as documents
from assistant.projects import repository as projects
from assistant.projects import service

router = APIRouter(prefix="/projects", tags=["projects"])


def _public(session: SessionDep, project: object) -> ProjectPublic:
    out = ProjectPublic.model_validate(project)
    out.documents = documents.count_documents(session, project_id=out.id)
    return out


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectPublic,
    summary="Create a project",
    description="Creates a project. Its id is ASCII (usable in paths and as the Chroma collection name); "
    "the name may be Chinese. 409 if the name is taken, or is another project's id (paths take both). The "
    "project is stored before the answer is sent: a GET right after it finds it.",
)
def create_project(body: ProjectCreate, container: ContainerDep) -> ProjectPublic:
    project = service.create_project(container.sessions, name=body.name, description=body.description)
    return ProjectPublic.model_validate(project)  # new: no documents to count


@router.get("", response_model=ProjectList, summary="List the projects this key may see")
def list_projects(session: SessionDep, principal: PrincipalDep) -> ProjectList:
    items = [_public(session, p) for p in projects.list_projects(session) if principal.covers(p.id)]
    return ProjectList(items=items, total=len(items))


@router.get("/{project}", response_model=ProjectPublic, summary="One project, by id or name")
def get_project(project: ProjectDep, session: SessionDep) -> ProjectPublic:
    return _public(session, project)
