from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.deps import ContainerDep, ProjectDep
from api.schemas import BoundedFilters
from api.sse import event, streamed
from assistant.qa.models import AnswerPublic
from assistant.qa.service import ask_project
from assistant.retrieval.models import SearchResponse

router = APIRouter(prefix="/projects/{project}", tags=["ask"])


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=2000, description="Chinese or English.")
    top_k: int = Field(6, ge=1, le=20, description="Passages retrieved and offered to the model.")
    filters: BoundedFilters = None
    stream: bool = Field(
        False,
        description="Answer as server-sent events: `passages` first, then `token` events (`{text}`, the answer "
        "as the model writes it), then `answer` (the checked answer: keep this one; its sentences whose "
        "citations failed are flagged), or `error` (`{detail, error}`).",
    )


def _search(container: ContainerDep, project_id: str, body: AskRequest) -> SearchResponse:
    return container.search(
        project_id, body.question, top_k=body.top_k, filters=body.filters, for_answer=True
    )


def _answer(
    container: ContainerDep,
    project_id: str,
    body: AskRequest,
    found: SearchResponse | None = None,
    on_token: Callable[[str], None] | None = None,
) -> AnswerPublic:
    """``found``: passages already retrieved for this question (the stream sends them first)."""
    return ask_project(
        body.question,
        llm=container.chat_model,
        search=lambda q: (found or _search(container, project_id, body)).results,
        embeddings=container.embeddings,
        settings=container.settings,
        on_token=on_token,
    )


def _stream_answer(container: ContainerDep, project_id: str, body: AskRequest) -> Iterator[str]:
    """Passages, then the answer's words as the model writes them, then the checked answer."""
    found = _search(container, project_id, body)
    fields = {"chunk_id", "document_id", "file_name", "page", "section", "text", "score"}
    yield event("passages", [r.model_dump(mode="json", include=fields) for r in found.results])
    yield from streamed(
        lambda emit: _answer(
            container, project_id, body, found, on_token=lambda t: emit("token", {"text": t})
        ),
        final="answer",
    )


@router.post(
    "/ask",
    response_model=AnswerPublic,
    summary="Ask the project's documents",
    description="Retrieves passages (hybrid vector + BM25, across Chinese and English), asks the LLM to answer "
    "only from them with numbered citations, then checks every citation against its passage (the passage must "
    "hold the claim's words or figures and be relevant to the question by itself; `chunk_id` ties a citation to "
    "its passage in `passages`): "
    "`citations_checked` and `citations_supported` say how many held, and sentences whose citations failed are "
    "flagged in the answer and listed in `unsupported_sentences`. When nothing relevant is found, the model "
    "says the documents do not hold the answer, no sentence is supported by its passage, the answer only "
    "restates the question, or the passages holding the answer lack a year, date, id or name the question "
    "names (`question_specifics_missing`, the answer says which), `refused` is true, `refusal_reason` says which, and `passages` gives the closest "
    "passages. "
    "The answer is in the question's language. Text inside documents is treated as data, never as "
    "instructions. With `stream: true` the reply is text/event-stream. 503 when the model is unavailable, "
    "502 when it answers nonsense.",
    responses={200: {"content": {"text/event-stream": {}}, "description": "the stream, with `stream: true`"}},
)
def ask(project: ProjectDep, container: ContainerDep, body: AskRequest) -> AnswerPublic | StreamingResponse:
    if not body.stream:
        return _answer(container, project.id, body)
    return StreamingResponse(_stream_answer(container, project.id, body), media_type="text/event-stream")
