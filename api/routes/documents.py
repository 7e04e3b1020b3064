from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile, status
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.types import Message, Receive

from api.container import Container
from api.deps import ContainerDep, ProjectDep, SessionDep, get_container
from api.schemas import (
    ChunkPublic,
    DocumentBackground,
    DocumentDetail,
    DocumentList,
    DocumentPublic,
    DocumentsDeleted,
    DocumentUpdate,
    JobAccepted,
    ScanProgress,
)
from assistant.documents import repository as documents
from assistant.documents.background import background_states
from assistant.documents.models import Document, DocumentType
from assistant.documents.settings import MB
from assistant.errors import TooLargeError
from assistant.index import chunks as chunk_store
from assistant.risks import service as risks
from ingest import service
from ingest.names import clean_upload_name
from ingest.staging import Upload

D = TypeVar("D", bound=DocumentPublic)

router = APIRouter(prefix="/projects/{project}/documents", tags=["documents"])


class UploadRoute(APIRoute):
    """Refuses an upload over ASSISTANT_MAX_UPLOAD_MB before its body is read: at once by its Content-Length,
    and otherwise (a chunked body) by counting the bytes as they arrive, so that no upload fills the memory or
    the temporary folder. A route class, because FastAPI reads a multipart body before any dependency or the
    route itself runs; and its own count, because FastAPI's limits are fixed numbers and say no more than
    "Content Too Large"."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = get_container(request).settings.ingest.max_upload_bytes
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise TooLargeError(_too_large(int(declared), limit))
            try:
                return await handle(Request(request.scope, _counting(request.receive, limit)))
            except _OverLimit:
                raise TooLargeError(_too_large(None, limit)) from None

        return limited


class _OverLimit(HTTPException):
    """Raised while the body is read; an HTTPException so that FastAPI passes it on instead of calling it a
    body it could not parse (400)."""

    def __init__(self) -> None:
        super().__init__(status_code=status.HTTP_413_CONTENT_TOO_LARGE)


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _OverLimit
        return message

    return counted


def _too_large(size: int | None, limit: int) -> str:
    what = f"the upload is {size / MB:.1f} MB," if size is not None else "the upload is"
    return (
        f"{what} over the {limit / MB:g} MB one upload may carry (ASSISTANT_MAX_UPLOAD_MB); send fewer or "
        "smaller files at a time"
    )


def upload_documents(
    project: ProjectDep,
    container: ContainerDep,
    files: Annotated[list[UploadFile], File(description="One or more files or zip archives.")],
    doc_type: Annotated[
        DocumentType | None, Form(description="Override the detected type for every file in this upload.")
    ] = None,
) -> JobAccepted:
    # A plain function on purpose: FastAPI runs it in a worker thread, so expanding archives and staging
    # (seconds for a big upload) never hold up the event loop. The files are read from where the web server
    # spooled them, one at a time, never whole into memory.
    uploads = [Upload(clean_upload_name(f.filename), size=f.size, source=f.file) for f in files]
    job_id, count = service.submit_uploads(
        container.ingestor, container.background, project.id, uploads, doc_type
    )
    return JobAccepted(job_id=job_id, status="queued", files=count)


router.add_api_route(
    "",
    upload_documents,
    methods=["POST"],
    route_class_override=UploadRoute,
    # Not held to ASSISTANT_MAX_REQUEST_KB (api/policy.py OWN_BODY_LIMIT): UploadRoute applies the upload limit.
    max_body_size=sys.maxsize,
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    summary="Upload documents",
    description="Upload one or many files (PDF, DOCX, EML, Markdown, TXT) or ZIP archives in the multipart "
    "field `files`. Answers 202 with a job id at once; follow the job at GET /jobs/{job_id}. A file that "
    "cannot be read fails alone with its reason. 415 when no file has a supported type; 413 when every file "
    "is over the size limit, or the request body is over ASSISTANT_MAX_UPLOAD_MB (refused before it is "
    "read). All files of one upload, archives expanded, share two budgets (ASSISTANT_MAX_UPLOAD_FILES, "
    "ASSISTANT_ZIP_MAX_TOTAL_MB): an archive that would break one, or that holds a suspected zip bomb, is "
    "one failed file with the reason and nothing from it is kept. File names are only labels. Re-uploading "
    "identical bytes reports `unchanged`; a changed file with the same name replaces its old version "
    "atomically.",
)


BACKGROUND_NOTE = (
    " Each document carries `background`: `rerank_ready` (the rerank model has read its passages, so a search "
    "costs no model time) and `scan` (its automatic risk scan: status pending|running|done|failed, reason, "
    "passages_done, passages_total), so you can see whether fast search and the register are complete for it."
)


def _with_background(
    session: Session, container: Container, project_id: str, docs: list[Document], kind: type[D]
) -> list[D]:
    states = background_states(
        session,
        project_id=project_id,
        docs=docs,
        rerank_model=container.rerank_model,
        auto_scan=container.settings.risk.auto_scan,
        scan_queue=risks.SCAN_QUEUE,
    )
    out = []
    for doc in docs:
        item = kind.model_validate(doc)
        state = states[doc.id]
        item.background = DocumentBackground(
            rerank_ready=state.rerank_ready,
            scan=ScanProgress(
                status=state.scan.status.value,
                reason=state.scan.reason,
                passages_done=state.scan.passages_done,
                passages_total=state.scan.passages_total,
            ),
        )
        out.append(item)
    return out


@router.get(
    "",
    response_model=DocumentList,
    summary="List documents with their status",
    description="The project's documents with their reading status (queued, reading, indexed, failed with "
    "the reason)." + BACKGROUND_NOTE,
)
def list_documents(
    project: ProjectDep,
    container: ContainerDep,
    session: SessionDep,
    status_filter: Annotated[
        str | None, Query(alias="status", description="queued|reading|indexed|failed")
    ] = None,
    doc_type: Annotated[DocumentType | None, Query(description="meeting|email|spec|other")] = None,
) -> DocumentList:
    items = documents.list_documents(
        session, project_id=project.id, status=status_filter, doc_type=doc_type.value if doc_type else None
    )
    return DocumentList(
        items=_with_background(session, container, project.id, items, DocumentPublic), total=len(items)
    )


@router.get(
    "/{document_id}",
    response_model=DocumentDetail,
    summary="One document",
    description="The document, with its chunks when `include_chunks` is true." + BACKGROUND_NOTE,
)
def get_document(
    project: ProjectDep,
    container: ContainerDep,
    session: SessionDep,
    document_id: str,
    include_chunks: Annotated[bool, Query(description="Also return the indexed chunks.")] = False,
) -> DocumentDetail:
    doc = documents.get_document(session, project_id=project.id, document_id=document_id)
    [out] = _with_background(session, container, project.id, [doc], DocumentDetail)
    if include_chunks:
        out.chunks = [
            ChunkPublic.model_validate(c) for c in chunk_store.document_chunks(session, document_id=doc.id)
        ]
    return out


@router.patch("/{document_id}", response_model=DocumentPublic, summary="Override a document's type")
def update_document(
    project: ProjectDep, container: ContainerDep, document_id: str, body: DocumentUpdate
) -> DocumentPublic:
    doc = service.set_document_type(container.ingestor, project.id, document_id, body.doc_type)
    return DocumentPublic.model_validate(doc)


@router.delete(
    "/{document_id}",
    response_model=DocumentsDeleted,
    summary="Delete a document",
    description="Removes the document, and the attachments that came with it, from the registry and both indexes.",
)
def delete_document(project: ProjectDep, container: ContainerDep, document_id: str) -> DocumentsDeleted:
    return DocumentsDeleted(deleted=service.delete_document(container.ingestor, project.id, document_id))


@router.post(
    "/{document_id}/reindex",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    summary="Re-index one document",
    description="Reads the stored original again with the current chunking and embedding settings.",
)
def reindex_document(project: ProjectDep, container: ContainerDep, document_id: str) -> JobAccepted:
    job_id, count = service.submit_reindex(
        container.ingestor, container.background, project.id, [document_id]
    )
    return JobAccepted(job_id=job_id, status="queued", files=count)


reindex_router = APIRouter(prefix="/projects/{project}", tags=["documents"])


@reindex_router.post(
    "/reindex",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    summary="Re-index every document of a project",
    description="Use after changing the embedding model or chunk sizes: the project's vectors are rebuilt "
    "from the stored originals.",
)
def reindex_project(project: ProjectDep, container: ContainerDep) -> JobAccepted:
    job_id, count = service.submit_reindex(container.ingestor, container.background, project.id, None)
    return JobAccepted(job_id=job_id, status="queued", files=count)
