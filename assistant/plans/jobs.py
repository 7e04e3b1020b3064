"""A draft is a job: a row of the jobs table (kind ``plan``, followed at GET /jobs/{job_id}) and a persisted
background task on its own queue, written in the same transaction as the plan, so a plan in ``drafting``
always has its task and a restart resumes it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.background import repository as tasks
from assistant.db import utcnow
from assistant.jobs import repository as jobs
from assistant.jobs.models import Job, JobStatus

PLAN_QUEUE = "plans"
PLAN_TASK = "draft_plan"
JOB_KIND = "plan"


def queue_draft(session: Session, *, project_id: str, plan_id: str) -> Job:
    """The job and its task; the queue's worker picks the task up (the caller wakes it after the commit)."""
    job = jobs.create_job(session, project_id=project_id, kind=JOB_KIND)
    tasks.add_task(session, queue=PLAN_QUEUE, name=PLAN_TASK, payload=payload(plan_id, job.id), key=plan_id)
    return job


def payload(plan_id: str, job_id: str) -> dict[str, str]:
    return {"plan_id": plan_id, "job_id": job_id}


def start(session: Session, *, job_id: str) -> None:
    job = jobs.get_job(session, job_id=job_id)
    job.status, job.started_at = JobStatus.running.value, job.started_at or utcnow()


def finish(session: Session, *, job_id: str, error: str | None = None) -> None:
    job = session.get(Job, job_id)
    if job is not None:
        job.status = (JobStatus.failed if error else JobStatus.done).value
        job.error, job.finished_at = error, utcnow()
