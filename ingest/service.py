"""What the API and the CLI call to ingest, re-index, retype and delete documents."""

from __future__ import annotations

from pathlib import Path

from assistant.background.worker import BackgroundWork
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.documents.models import Document, DocumentStatus, DocumentType
from assistant.errors import ConflictError
from assistant.jobs import repository as jobs
from assistant.jobs.models import FileStatus
from ingest import pipeline
from ingest.jobs import queue_job
from ingest.pipeline import Ingestor
from ingest.staging import Upload, check_uploads, stage_job


def submit_uploads(
    ingestor: Ingestor,
    work: BackgroundWork,
    project_id: str,
    uploads: list[Upload],
    doc_type: DocumentType | None = None,
) -> tuple[str, int]:
    """Stage an upload and queue its job; the job id and the number of files, archives expanded. Reads and
    inflates for seconds on a big upload: call it from a worker thread, never on the event loop."""
    check_uploads(uploads, max_bytes=ingestor.settings.ingest.max_file_bytes)
    job_id = stage_job(ingestor, project_id=project_id, uploads=uploads, doc_type=doc_type)
    queue_job(work, job_id)
    with transaction(ingestor.sessions) as session:
        return job_id, len(jobs.job_files(session, job_id=job_id))


def submit_reindex(
    ingestor: Ingestor, work: BackgroundWork, project_id: str, document_ids: list[str] | None
) -> tuple[str, int]:
    """Queue a job that re-reads stored originals; for a whole project, vectors built with another
    embedding model are dropped first, since they cannot be searched with the new one."""
    with transaction(ingestor.sessions) as session:
        if document_ids is None:
            docs = documents.list_documents(session, project_id=project_id)
        else:
            docs = [
                documents.get_document(session, project_id=project_id, document_id=d) for d in document_ids
            ]
        if document_ids is None:
            try:
                ingestor.vectors.count(project_id)
            except ConflictError:
                ingestor.vectors.drop_project(project_id)
        job = jobs.create_job(session, project_id=project_id, kind="reindex")
        for position, doc in enumerate(d for d in docs if d.sha256):
            original = pipeline.original_path(ingestor.settings, project_id, doc.file_name, doc.sha256 or "")
            missing = not original.exists()
            jobs.add_file(
                session,
                job=job,
                position=position,
                file_name=doc.file_name,
                staged_path=None if missing else str(original),
                status=FileStatus.failed if missing else FileStatus.queued,
                reason=pipeline.ORIGINAL_MISSING if missing else None,
                doc_type=doc.doc_type if doc.doc_type_overridden else None,
                document_id=doc.id,  # so a document deleted before its turn is not brought back
            )
        job_id = job.id
        session.flush()
        count = len(jobs.job_files(session, job_id=job_id))
    queue_job(work, job_id)
    return job_id, count


def set_document_type(
    ingestor: Ingestor, project_id: str, document_id: str, doc_type: DocumentType
) -> Document:
    with transaction(ingestor.sessions) as session:
        doc = documents.get_document(session, project_id=project_id, document_id=document_id)
        if doc.status != DocumentStatus.indexed.value:
            raise ConflictError(
                f"document {document_id!r} is {doc.status}; only indexed documents can be retyped"
            )
        doc.doc_type, doc.doc_type_overridden = doc_type.value, True
        pipeline.retag(ingestor, session, doc)
        return doc


def delete_document(ingestor: Ingestor, project_id: str, document_id: str) -> list[str]:
    deleted = pipeline.delete_document(ingestor, project_id=project_id, document_id=document_id)
    _forget_originals(ingestor, project_id)
    return deleted


def _forget_originals(ingestor: Ingestor, project_id: str) -> None:
    """Remove stored originals no remaining document version points at."""
    folder = ingestor.settings.data_dir / "files" / project_id
    if not folder.exists():
        return
    with transaction(ingestor.sessions) as session:
        live = {d.sha256 for d in documents.list_documents(session, project_id=project_id)}
    for path in folder.iterdir():
        if Path(path.name).stem not in live:
            path.unlink(missing_ok=True)
