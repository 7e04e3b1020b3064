"""Integration plans over HTTP. Thin: parsing and status codes here, everything else in assistant.plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Response, status

from api.auth import ActorDep
from api.container import Container
from api.deps import ContainerDep, ProjectDep, SessionDep
from api.schemas import Offset, RowId
from assistant.plans import service
from assistant.plans.exports import MEDIA_TYPES, PlanExportFormat
from assistant.plans.extract import extract_facts
from assistant.plans.schemas import (
    PlanAccepted,
    PlanCreate,
    PlanDetail,
    PlanList,
    PlanUpdate,
    SuggestionDecision,
)
from assistant.plans.sources import load_chunks
from assistant.providers.llm import structured_method

router = APIRouter(prefix="/projects/{project}/plans", tags=["plans"])


def _doc(text: str) -> str:
    return " ".join(text.split())


ACTOR_NOTE = """ The history records the API key's owner (with `ASSISTANT_AUTH=off`, the `X-Actor` request header);
`assistant` is the drafting job."""
LOCK_NOTE = """ Send the `version` you read: if the plan has changed since, the answer is 409 naming the current
version, and nothing changes."""
MODEL_NOTE = """ 503 when the language model is unavailable at request time (then nothing is created); a failure
later leaves the plan `failed` with its `reason`."""


def draft_context(container: Container) -> service.DraftContext:
    """What a draft job uses, from the container: the model starts only when a project has passages."""
    return service.DraftContext(
        sessions=container.sessions,
        chat_model=lambda: container.chat_model,
        load_chunks=load_chunks,
        extract=extract_facts,
        method=structured_method(container.settings),
    )


def register_drafting(container: Container) -> None:
    """Drafts run on the container's background work, queue ``plans`` (the server starts its worker)."""
    service.register_drafting(container.background, lambda: draft_context(container))


def install_plans(app: FastAPI, container: Container) -> None:
    """The routes, and the worker that drafts (registered before the app starts its background work)."""
    app.include_router(router)
    register_drafting(container)


def _model(container: Container) -> object:
    """Raises ProviderUnavailableError (503) when the model cannot be had: the local one starts here."""
    return container.chat_model


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PlanAccepted,
    summary="Draft an integration plan",
    description=_doc(
        """Creates the plan in status `drafting` and starts its job (follow it at `GET /jobs/{job_id}` or
    by reading the plan). The job reads the facts the project's documents state (systems, the interface
    catalogue, phases and milestones with dates, cut-over stages, rollback triggers with thresholds, training,
    hand-over, conflicts between documents, the later document winning), links the register's live risks,
    the requirement store and the root needs of `five_why_ids`, builds the test strategy (an integration test
    per interface, unit, UAT, performance, security, each tied to requirement and interface ids, acceptance
    from the requirements' own words), and asks the language model for what code cannot write: test prose
    where no requirement speaks, a rollback procedure when the documents give none, and open questions.
    Everything the model adds is `proposed: true`; every stated item carries evidence whose quote is verbatim
    in its passage. A project without documents gets open questions, not an invented catalogue. `language`
    defaults to the project's main language, `title` to one made from the project's name. 422 when a 5-Why
    id is not the project's."""
        + MODEL_NOTE
        + ACTOR_NOTE
    ),
)
def create_plan(
    project: ProjectDep, container: ContainerDep, body: PlanCreate, actor: ActorDep
) -> PlanAccepted:
    return service.request_draft(
        container.sessions,
        container.background,
        project_id=project.id,
        data=body,
        actor=actor,
        ensure_model=lambda: _model(container),
    )


@router.get(
    "",
    response_model=PlanList,
    summary="List a project's plans, newest first",
    description="`total` counts every plan of the project; `limit`/`offset` page through them.",
)
def list_plans(
    project: ProjectDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> PlanList:
    return service.list_plans(session, project_id=project.id, limit=limit, offset=offset)


@router.get(
    "/{plan_id}",
    response_model=PlanDetail,
    summary="One plan with its history and suggestions",
    description=_doc("""`status`: `drafting` (the job runs), `ready`, or `failed` (`reason` says why; the
    body is as it was before the failed draft). `person_fields` are the fields people own: a redraft keeps
    them and lists what it would change under `suggestions`, which a person accepts or rejects. A plan of
    another project answers 404."""),
)
def get_plan(project: ProjectDep, session: SessionDep, plan_id: str) -> PlanDetail:
    return service.get_plan(session, project_id=project.id, plan_id=plan_id)


@router.patch(
    "/{plan_id}",
    response_model=PlanDetail,
    summary="Edit a plan",
    description=_doc(
        """Changes the fields present in the body (`title` and any part of the body: systems, interfaces,
    phases, milestones, tests, cutover, training, handover, risks, requirements, needs, open_questions,
    conflicts; a list is replaced whole, `null` empties it). Each changed field is a history row (who, when,
    field, old and new value as JSON) and becomes person-owned: a redraft will not overwrite it."""
        + LOCK_NOTE
        + ACTOR_NOTE
    ),
)
def update_plan(
    project: ProjectDep, container: ContainerDep, plan_id: str, body: PlanUpdate, actor: ActorDep
) -> PlanDetail:
    return service.update_plan(
        container.sessions, project_id=project.id, plan_id=plan_id, data=body, actor=actor
    )


@router.delete(
    "/{plan_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a plan",
    description="The plan, its history and its suggestions go; a draft still running for it ends without "
    "writing.",
)
def delete_plan(project: ProjectDep, container: ContainerDep, plan_id: str) -> Response:
    service.delete_plan(container.sessions, project_id=project.id, plan_id=plan_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{plan_id}/redraft",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PlanAccepted,
    summary="Draft a plan again from the documents as they are now",
    description=_doc(
        """Runs the draft again (a new job) after new documents arrive. Fields nobody edited take the new
    draft. In a field a person owns, the person's value stays: items the documents newly state (with
    evidence) are added, and whatever else the redraft would change (an item the documents now read
    differently, one they no longer state, one the assistant proposes) becomes a suggestion (`GET` the plan,
    `suggestions`), never made twice. 409 while a draft of the plan is running."""
        + MODEL_NOTE
    ),
)
def redraft_plan(project: ProjectDep, container: ContainerDep, plan_id: str, actor: ActorDep) -> PlanAccepted:
    return service.request_redraft(
        container.sessions,
        container.background,
        project_id=project.id,
        plan_id=plan_id,
        actor=actor,
        ensure_model=lambda: _model(container),
    )


@router.post(
    "/{plan_id}/suggestions/{suggestion_id}/accept",
    response_model=PlanDetail,
    summary="Accept a redraft's suggestion",
    description=_doc(
        """The suggested item replaces the plan's (or is added; a suggestion to drop an item removes it),
    with the person as the actor in the history. 404 when the plan has no such suggestion; 409 when it was
    decided already."""
        + LOCK_NOTE
        + ACTOR_NOTE
    ),
)
def accept_suggestion(
    project: ProjectDep,
    container: ContainerDep,
    plan_id: str,
    suggestion_id: RowId,
    body: SuggestionDecision,
    actor: ActorDep,
) -> PlanDetail:
    return service.accept_suggestion(
        container.sessions,
        project_id=project.id,
        plan_id=plan_id,
        suggestion_id=suggestion_id,
        version=body.version,
        actor=actor,
    )


@router.post(
    "/{plan_id}/suggestions/{suggestion_id}/reject",
    response_model=PlanDetail,
    summary="Reject a redraft's suggestion",
    description=_doc(
        """The plan stays as it is; the suggestion is closed (kept, with who decided) and the same value is
    never suggested again. 404 when the plan has no such suggestion; 409 when it was decided already."""
        + LOCK_NOTE
        + ACTOR_NOTE
    ),
)
def reject_suggestion(
    project: ProjectDep,
    container: ContainerDep,
    plan_id: str,
    suggestion_id: RowId,
    body: SuggestionDecision,
    actor: ActorDep,
) -> PlanDetail:
    return service.reject_suggestion(
        container.sessions,
        project_id=project.id,
        plan_id=plan_id,
        suggestion_id=suggestion_id,
        version=body.version,
        actor=actor,
    )


@router.get(
    "/{plan_id}/export",
    summary="Export a plan",
    description=_doc("""`format=md` (Markdown with a Mermaid Gantt chart of the dated phases), `docx` (Word:
    headings and real tables for interfaces, milestones, tests, cut-over and risks; Chinese in a CJK font) or
    `xlsx` (one sheet per table). Proposals are marked and evidence is given as file, page or section and
    quote. 409 while the plan has no draft yet."""),
    response_class=Response,
    responses={200: {"content": {m: {} for m in sorted({MEDIA_TYPES[f] for f in PlanExportFormat})}}},
)
def export_plan(
    project: ProjectDep,
    session: SessionDep,
    plan_id: str,
    fmt: Annotated[
        PlanExportFormat, Query(alias="format", description="md, docx or xlsx")
    ] = PlanExportFormat.md,
) -> Response:
    out = service.export_plan(session, project_id=project.id, plan_id=plan_id, fmt=fmt)
    return Response(
        content=out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'attachment; filename="{out.file_name}"'},
    )
