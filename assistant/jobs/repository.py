"""All SQL for ingestion jobs and their files."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import NotFoundError
from assistant.jobs.models import FileStatus, Job, JobFile, JobStatus


def new_job_id() -> str:
    return "job_" + uuid.uuid4().hex[:16]


def create_job(session: Session, *, project_id: str, kind: str = "ingest", job_id: str | None = None) -> Job:
    """``job_id``: one taken from ``new_job_id`` earlier (an upload's files are staged under it first)."""
    job = Job(id=job_id or new_job_id(), project_id=project_id, kind=kind)
    session.add(job)
    session.flush()
    return job


def add_file(
    session: Session,
    *,
    job: Job,
    position: int,
    file_name: str,
    staged_path: str | None,
    status: FileStatus = FileStatus.queued,
    reason: str | None = None,
    doc_type: str | None = None,
    document_id: str | None = None,
) -> JobFile:
    row = JobFile(
        job_id=job.id,
        position=position,
        file_name=file_name,
        staged_path=staged_path,
        status=status.value,
        reason=reason,
        doc_type=doc_type,
        document_id=document_id,
    )
    session.add(row)
    return row


def missing_job_message(job_id: str) -> str:
    """Also what a key that does not cover the job's project is told."""
    return f"no job {job_id!r}"


def get_job(session: Session, *, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(missing_job_message(job_id))
    return job


def job_files(session: Session, *, job_id: str) -> list[JobFile]:
    return list(session.scalars(select(JobFile).where(JobFile.job_id == job_id).order_by(JobFile.position)))


def unfinished_jobs(session: Session) -> list[Job]:
    return list(
        session.scalars(
            select(Job)
            .where(Job.status.in_([JobStatus.queued.value, JobStatus.running.value]))
            .order_by(Job.created_at)
        )
    )


def list_jobs(session: Session, *, project_id: str, limit: int = 50) -> list[Job]:
    return list(
        session.scalars(
            select(Job).where(Job.project_id == project_id).order_by(Job.created_at.desc()).limit(limit)
        )
    )
