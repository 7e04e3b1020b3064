from __future__ import annotations

from fastapi import APIRouter

from api.auth import PrincipalDep
from api.deps import ProjectDep, SessionDep
from api.schemas import JobFilePublic, JobList, JobPublic
from assistant.errors import NotFoundError
from assistant.jobs import repository as jobs
from assistant.jobs.models import Job

router = APIRouter(tags=["jobs"])

FINISHED = {"indexed", "unchanged", "failed"}


def job_public(session: SessionDep, job: Job) -> JobPublic:
    files = jobs.job_files(session, job_id=job.id)
    done = sum(1 for f in files if f.status in FINISHED)
    return JobPublic(
        job_id=job.id,
        project_id=job.project_id,
        status=job.status,
        progress=round(done / len(files), 4) if files else 1.0,
        done=done,
        total=len(files),
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        files=[JobFilePublic.model_validate(f) for f in files],
    )


@router.get(
    "/jobs/{job_id}",
    response_model=JobPublic,
    summary="An ingestion job's progress",
    description="status: queued|running|done|failed (failed means the job itself broke; files that could not "
    "be read are listed with status failed and their reason while the job is done).",
)
def get_job(job_id: str, session: SessionDep, principal: PrincipalDep) -> JobPublic:
    job = jobs.get_job(session, job_id=job_id)
    if not principal.covers(job.project_id):  # another project's job does not exist for this key
        raise NotFoundError(jobs.missing_job_message(job_id))
    return job_public(session, job)


@router.get("/projects/{project}/jobs", response_model=JobList, summary="A project's recent jobs")
def list_jobs(project: ProjectDep, session: SessionDep) -> JobList:
    items = [job_public(session, j) for j in jobs.list_jobs(session, project_id=project.id)]
    return JobList(items=items, total=len(items))
