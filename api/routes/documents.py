from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from sqlalchemy.orm import Session

from api.container import Container
from api.deps import ContainerDep, ProjectDep, SessionDep
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
from assistant.index import chunks as chunk_store
from assistant.risks import service as risks
from assistant.settings import Settings
from ingest import service
from ingest.jobs import Upload

D = TypeVar("D", bound=DocumentPublic)

router = APIRouter(prefix="/projects/{project}/documents", tags=["documents"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    summary="Upload documents",
    description="Upload one or many files (PDF, DOCX, EML, Markdown, TXT) or ZIP archives in the multipart "
    "field `files`. Answers 202 with a job id at once; follow the job at GET /jobs/{job_id}. A file that "
    "cannot be read fails alone with its reason. 415 when no file has a supported type, 413 when every file is "
    "over the size limit. Re-uploading identical bytes reports `unchanged`; a changed file with the same name "
    "replaces its old version atomically.",
)
async def upload_documents(
    project: ProjectDep,
    container: ContainerDep,
    files: Annotated[list[UploadFile], File(description="One or more files or zip archives.")],
    doc_type: Annotated[
        DocumentType | None, Form(description="Override the detected type for every file in this upload.")
    ] = None,
) -> JobAccepted:
    uploads = [await _read_upload(f, container.settings) for f in files]
    job_id, count = service.submit_uploads(
        container.ingestor, container.background, project.id, uploads, doc_type
    )
    return JobAccepted(job_id=job_id, status="queued", files=count)


async def _read_upload(file: UploadFile, settings: Settings) -> Upload:
    """Reads at most one byte past the limit, so a huge upload is refused without filling memory."""
    name = (file.filename or "upload").replace("\\", "/").lstrip("/")
    data = await file.read(settings.ingest.max_file_bytes + 1)
    if len(data) > settings.ingest.max_file_bytes:
        return Upload(name, b"", size=max(file.size or 0, len(data)))
    return Upload(name, data)


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
