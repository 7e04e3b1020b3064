"""Request and response bodies of the backbone routes. Field names are a contract with outside tools."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistant.documents.models import DocumentType
from assistant.retrieval.models import SearchFilters

# The largest integer SQLite (INTEGER) and PostgreSQL (bigint) both take: the upper bound of every id and
# offset in a path or query, so an absurd number is refused with 422 instead of overflowing the driver (500).
MAX_SQL_INT = 2**63 - 1

Offset = Annotated[
    int, Query(ge=0, le=MAX_SQL_INT, description="Matches to skip before the first one returned (paging).")
]
RowId = Annotated[int, Path(ge=1, le=MAX_SQL_INT)]

# Values per list of a search filter. Each value is one SQL variable of an `IN (...)`: three full lists stay
# far below the variables a statement may have (32766 on SQLite since 3.32, 65535 on PostgreSQL).
MAX_FILTER_VALUES = 1000


def _bounded(filters: SearchFilters | None) -> SearchFilters | None:
    if filters is None:
        return None
    for name in ("doc_types", "file_names", "document_ids"):
        values = getattr(filters, name)
        if values is not None and len(values) > MAX_FILTER_VALUES:
            raise ValueError(f"{name} has {len(values)} values; at most {MAX_FILTER_VALUES} are allowed")
    return filters


BoundedFilters = Annotated[
    SearchFilters | None,
    AfterValidator(_bounded),
    Field(
        description=f"Narrow the search; the project always applies. At most {MAX_FILTER_VALUES} values a list."
    ),
]


class ErrorBody(BaseModel):
    """The body of every error response (4xx and 5xx) of this API, whatever raised it."""

    detail: str = Field(..., description="What went wrong, as a sentence a person understands.")
    error: str = Field(
        ...,
        description="The kind of error: InvalidInputError (422, also for a malformed request), "
        "NotFoundError, ConflictError, TooLargeError, UnsupportedTypeError, ModelBusyError ...",
    )
    queue_position: int | None = Field(
        None, description="Only on 503 from a busy model: the call's place in the queue when it gave up."
    )


class ProjectCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=200, description="Display name; Chinese is fine.")
    description: str | None = Field(None, max_length=2000)


class ProjectPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(..., description="ASCII id used in paths (the name works in paths too).")
    name: str
    description: str | None
    created_at: dt.datetime
    documents: dict[str, int] = Field(default_factory=dict, description="Document count per status.")


class ProjectList(BaseModel):
    items: list[ProjectPublic]
    total: int


class DocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    project_id: str
    file_name: str = Field(
        ..., description="Name as uploaded; members of archives and attachments carry a path."
    )
    sha256: str | None
    size: int
    doc_type: str = Field(..., description="meeting | email | spec | other")
    doc_type_overridden: bool
    language: str | None = Field(None, description="zh | en | mixed")
    title: str | None
    doc_date: dt.date | None
    status: str = Field(..., description="queued | reading | indexed | failed")
    reason: str | None = Field(None, description="Why the file failed.")
    warnings: list[str]
    meta: dict[str, str] = Field(..., description="E-mail headers, author and the like.")
    page_count: int | None
    chunk_count: int
    parent_id: str | None = Field(None, description="The e-mail an attachment came with.")
    created_at: dt.datetime
    updated_at: dt.datetime
    indexed_at: dt.datetime | None
    background: DocumentBackground | None = Field(
        None, description="What background work has done for it: fast search ready, risk scan progress."
    )


class ScanProgress(BaseModel):
    status: Literal["pending", "running", "done", "failed"] = Field(
        ...,
        description="The document's automatic risk scan: pending (waiting, or not scanned), running, done, "
        "failed.",
    )
    reason: str | None = Field(None, description="Why it is pending or failed.")
    passages_done: int = Field(..., description="Passages the scan has read so far.")
    passages_total: int = Field(..., description="Passages the scan reads (cue passages not read before).")


class DocumentBackground(BaseModel):
    rerank_ready: bool = Field(
        ...,
        description="The rerank model has read every passage, so a search over this document costs no "
        "model time (true where there is no rerank step).",
    )
    scan: ScanProgress


class ChunkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    position: int
    page: int | None
    section: str | None
    char_start: int
    char_end: int
    text: str


class DocumentDetail(DocumentPublic):
    chunks: list[ChunkPublic] | None = None


class DocumentList(BaseModel):
    items: list[DocumentPublic]
    total: int


class DocumentUpdate(BaseModel):
    doc_type: DocumentType = Field(..., description="Override the detected type.")


class DocumentsDeleted(BaseModel):
    deleted: list[str] = Field(..., description="Ids removed: the document and its attachments.")


class JobAccepted(BaseModel):
    job_id: str
    status: str
    files: int = Field(..., description="Files queued, archives expanded.")


class JobFilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    file_name: str
    status: Literal["queued", "reading", "indexed", "unchanged", "failed"]
    reason: str | None
    document_id: str | None


class JobPublic(BaseModel):
    job_id: str
    project_id: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(..., ge=0, le=1, description="Share of files finished, 0..1.")
    done: int
    total: int
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    files: list[JobFilePublic]


class JobList(BaseModel):
    items: list[JobPublic]
    total: int


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: str
    vector_store: str
    embeddings: dict[str, object]
    llm: dict[str, object]
    auth: Literal["on", "off"] = Field(
        description="`off`: no API key is asked for; anyone who reaches the port is admin."
    )
    warnings: list[str] = Field(
        default_factory=list, description="What an operator should fix, in sentences."
    )
