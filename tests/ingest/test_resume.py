"""Jobs a stopped process left behind finish when the next server starts, with no new upload to wake them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.container import Container
from api.main import create_app
from assistant.background import repository as tasks
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.jobs import repository as jobs_repo
from assistant.projects import repository as projects
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from ingest.jobs import INGEST_QUEUE, queue_job, run_job
from ingest.staging import Upload, stage_job
from tests.conftest import make_settings
from tests.ingest.crashes import V1, V2, Killed, crashing


def a_container(tmp_path: Path) -> Container:
    return Container(make_settings(tmp_path), embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel())


def test_queued_and_interrupted_jobs_finish_after_a_restart(tmp_path: Path) -> None:
    before = a_container(tmp_path)  # never serves: it only accepts work, then stops
    with transaction(before.sessions) as session:
        pid = projects.create_project(session, name="resume").id
    # A job whose worker died halfway through writing its file: task 'running', file 'reading', rows written.
    interrupted = stage_job(before.ingestor, project_id=pid, uploads=[Upload("b.md", V2)])
    queue_job(before.background, interrupted)
    with transaction(before.sessions) as session:
        claimed = tasks.claim_next(session, queue=INGEST_QUEUE)
        assert claimed is not None and claimed.payload == {"job_id": interrupted}
    with pytest.raises(Killed):
        run_job(crashing(before, "half_the_vectors"), interrupted)
    # A job accepted just before the stop, never started.
    queued = stage_job(before.ingestor, project_id=pid, uploads=[Upload("a.md", V1)])
    queue_job(before.background, queued)
    before.close()

    after = a_container(tmp_path)
    try:
        with TestClient(create_app(container=after)):  # the server starts; no request, no upload
            assert after.background.wait_idle([INGEST_QUEUE], timeout=60)
        with after.sessions() as session:
            for job_id in (interrupted, queued):
                assert jobs_repo.get_job(session, job_id=job_id).status == "done"
                assert [f.status for f in jobs_repo.job_files(session, job_id=job_id)] == ["indexed"]
            listed = documents.list_documents(session, project_id=pid)
            assert {d.file_name: d.status for d in listed} == {"a.md": "indexed", "b.md": "indexed"}
        hits = after.search(pid, "Osprey", top_k=3).results
        assert hits[0].file_name == "b.md"  # the interrupted one is whole and searchable
    finally:
        after.close()
