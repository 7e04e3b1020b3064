"""Ingestion jobs: an upload is staged to disk at once (ingest/staging.py), then the background worker
reads its files one by one."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from assistant.background.worker import BackgroundWork
from assistant.db import transaction, utcnow
from assistant.documents.models import Document, DocumentType
from assistant.jobs import repository as jobs
from assistant.jobs.models import FileStatus, Job, JobFile, JobStatus
from ingest.failures import failure_reason
from ingest.pipeline import GONE_BEFORE_REINDEX, ORIGINAL_MISSING, FileOutcome, Ingestor, ingest_file
from ingest.staging import Upload, check_uploads, folder_uploads, stage_job

__all__ = [  # the staging names are here too, where the CLI and the benchmarks have always found them
    "INGEST_QUEUE",
    "Upload",
    "check_uploads",
    "folder_uploads",
    "queue_job",
    "register_ingestion",
    "run_job",
    "stage_job",
]

log = logging.getLogger(__name__)


def run_job(ingestor: Ingestor, job_id: str, *, on_file: Callable[[JobFile], None] | None = None) -> Job:
    """Process every queued file of a job; one bad file never stops the others."""
    with transaction(ingestor.sessions) as session:
        job = jobs.get_job(session, job_id=job_id)
        job.status, job.started_at = JobStatus.running.value, job.started_at or utcnow()
        project_id, force = job.project_id, job.kind == "reindex"
        pending = [f.id for f in jobs.job_files(session, job_id=job_id) if f.status in ("queued", "reading")]
    try:
        for file_id in pending:
            _run_file(ingestor, project_id, job_id, file_id, on_file, force=force)
    except Exception as exc:  # the database died, the disk is full...: the job fails with the reason
        log.exception("job %s failed", job_id)
        with transaction(ingestor.sessions) as session:
            job = jobs.get_job(session, job_id=job_id)
            job.status, job.error, job.finished_at = JobStatus.failed.value, failure_reason(exc), utcnow()
        return job
    with transaction(ingestor.sessions) as session:
        job = jobs.get_job(session, job_id=job_id)
        job.status, job.finished_at = JobStatus.done.value, utcnow()
    shutil.rmtree(ingestor.settings.uploads_dir / job_id, ignore_errors=True)
    return job


def _run_file(
    ingestor: Ingestor,
    project_id: str,
    job_id: str,
    file_id: int,
    on_file: Callable[[JobFile], None] | None,
    *,
    force: bool,
) -> None:
    with transaction(ingestor.sessions) as session:
        row = session.get(JobFile, file_id)
        assert row is not None
        row.status = FileStatus.reading.value
        name, staged, doc_type = row.file_name, row.staged_path, row.doc_type
        # A re-index names its document; an upload's rows get theirs when done.
        document_id = row.document_id if force else None
    if on_file:
        on_file(row)
    try:
        data = _staged_bytes(ingestor, project_id, staged, document_id, reindex=force)
        outcome = ingest_file(
            ingestor,
            project_id=project_id,
            file_name=name,
            data=data,
            doc_type=DocumentType(doc_type) if doc_type else None,
            force=force,
            document_id=document_id,
        )
    except _StagedMissing as exc:
        outcome = FileOutcome(name, FileStatus.failed, str(exc))
    except Exception as exc:  # a reader bug must cost one file, not the batch
        log.exception("ingesting %s failed", name)
        outcome = FileOutcome(name, FileStatus.failed, failure_reason(exc))
    with transaction(ingestor.sessions) as session:
        row = session.get(JobFile, file_id)
        assert row is not None
        row.status, row.reason, row.document_id = outcome.status.value, outcome.reason, outcome.document_id
        job = jobs.get_job(session, job_id=job_id)
        position = max(f.position for f in jobs.job_files(session, job_id=job_id)) + 1
        for child in _flatten(outcome.children):
            jobs.add_file(
                session,
                job=job,
                position=position,
                file_name=child.file_name,
                staged_path=None,
                status=child.status,
                reason=child.reason,
            ).document_id = child.document_id
            position += 1
    if staged and not force:  # a re-index reads the kept original, which must stay
        Path(staged).unlink(missing_ok=True)
    if on_file:
        on_file(row)


class _StagedMissing(Exception):
    """The bytes a job row points at are gone; ``str(exc)`` says what a person can do."""


def _staged_bytes(
    ingestor: Ingestor, project_id: str, staged: str | None, document_id: str | None, *, reindex: bool
) -> bytes:
    """The bytes a job row points at: its staged upload, or for a re-index the stored original (which a
    delete of the document removes). The reason, when they are gone, names no server path."""
    if staged is None:
        raise _StagedMissing("nothing was staged for this file; upload it again")
    try:
        return Path(staged).read_bytes()
    except FileNotFoundError:
        if not reindex:
            raise _StagedMissing(
                "the uploaded copy waiting to be read is gone; upload the file again"
            ) from None
        with transaction(ingestor.sessions) as session:
            doc = session.get(Document, document_id) if document_id else None
            if document_id is not None and (doc is None or doc.project_id != project_id):
                raise _StagedMissing(GONE_BEFORE_REINDEX) from None
        raise _StagedMissing(ORIGINAL_MISSING) from None
    except OSError as exc:
        raise _StagedMissing(failure_reason(exc)) from exc


def _flatten(outcomes: list[FileOutcome]) -> list[FileOutcome]:
    out = []
    for o in outcomes:
        out.append(o)
        out.extend(_flatten(o.children))
    return out


INGEST_QUEUE = "ingest"
INGEST_TASK = "ingest_job"


def register_ingestion(work: BackgroundWork, ingestor: Ingestor) -> None:
    """Ingestion jobs run on their own background queue, one file at a time: on two cores that is as fast as
    it gets, and slow work on other queues (risk scans) never holds an upload up."""
    work.register(INGEST_QUEUE, INGEST_TASK, lambda payload: _run_queued(ingestor, payload["job_id"]))


def queue_job(work: BackgroundWork, job_id: str) -> None:
    work.submit(INGEST_QUEUE, INGEST_TASK, {"job_id": job_id}, key=job_id)


def _run_queued(ingestor: Ingestor, job_id: str) -> None:
    job = run_job(ingestor, job_id)
    if job.status == JobStatus.failed.value:  # the task fails with the job, so its reason shows there too
        raise RuntimeError(job.error or "the ingestion job failed")
