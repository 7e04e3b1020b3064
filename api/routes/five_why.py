from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse

from api.auth import ActorDep
from api.deps import ContainerDep, ProjectDep, SessionDep
from api.schemas import Offset
from api.sse import streamed
from assistant.db import transaction
from assistant.five_why import service
from assistant.five_why.schemas import FiveWhyCreate, FiveWhyList, FiveWhyPublic
from assistant.providers.llm import structured_method

router = APIRouter(prefix="/projects/{project}/five-why", tags=["five-why"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FiveWhyPublic,
    summary="Run a 5-Why analysis of a stated request",
    description="Asks 'why' up to five times about the statement (e.g. 希望门店收银更快), each answer backed by a "
    "cited passage of the project's documents where one supports it and marked `assumption: true` where none "
    "does. Returns the chain, the root need, restated requirements in EARS form with acceptance criteria and "
    "their rule-check scores, candidate solutions, open questions for the customer and a confidence that "
    "rests mostly on how much of the chain the documents back. The analysis is stored with the key's owner "
    "as who asked. With `stream: true` the rounds arrive as server-sent events while the model writes them. 503 when "
    "the model is unavailable or busy past its wait, 502 when it answers nonsense.",
    responses={200: {"content": {"text/event-stream": {}}, "description": "the stream, with `stream: true`"}},
)
def create_five_why(
    project: ProjectDep,
    container: ContainerDep,
    body: FiveWhyCreate,
    actor: ActorDep,
) -> FiveWhyPublic | StreamingResponse:
    def analyse(on_why: Callable[[int, str, str], None] | None = None) -> FiveWhyPublic:
        # Its own unit of work: a stream outlives the request's session dependency.
        with transaction(container.sessions) as session:
            return service.analyse_request(
                session,
                project_id=project.id,
                statement=body.statement,
                context=body.context,
                llm=container.chat_model,
                search=lambda q: (
                    container.search(project.id, q, top_k=service.PASSAGES_PER_ROUND, for_answer=True).results
                ),
                embed=container.embeddings.embed_array,
                method=structured_method(container.settings),
                actor=actor,
                on_why=on_why,
            )

    if not body.stream:
        return analyse()
    rounds = streamed(
        lambda emit: analyse(lambda n, q, a: emit("why", {"n": n, "question": q, "answer": a})),
        final="analysis",
    )
    return StreamingResponse(rounds, media_type="text/event-stream")


@router.get("", response_model=FiveWhyList, summary="List a project's 5-Why analyses, newest first")
def list_five_why(
    project: ProjectDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> FiveWhyList:
    return service.list_analyses(session, project_id=project.id, limit=limit, offset=offset)


@router.get("/{analysis_id}", response_model=FiveWhyPublic, summary="One stored 5-Why analysis")
def get_five_why(project: ProjectDep, session: SessionDep, analysis_id: str) -> FiveWhyPublic:
    return service.get_analysis(session, project_id=project.id, analysis_id=analysis_id)
