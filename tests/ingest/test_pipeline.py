from __future__ import annotations

import pytest

from api.container import Container
from assistant.background.worker import BackgroundWork
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.documents.models import Chunk
from assistant.errors import ProviderUnavailableError
from assistant.index import chunks as chunk_store
from assistant.jobs import repository as jobs_repo
from assistant.projects import repository as projects
from ingest.jobs import Upload, queue_job, register_ingestion, run_job, stage_job
from ingest.pipeline import ingest_file

V1 = "# 周例会\n\n接口联调计划于2026年5月25日开始。\n".encode()
V2 = "# 周例会\n\n接口联调推迟到2026年6月1日开始。\n".encode()


@pytest.fixture
def project_id(container: Container) -> str:
    with transaction(container.sessions) as session:
        return projects.create_project(session, name="p-test").id


def visible_text(container: Container, doc_id: str) -> str:
    with container.sessions() as session:
        return " ".join(c.text for c in chunk_store.document_chunks(session, document_id=doc_id))


def test_vector_store_failure_keeps_the_old_version_whole(
    container: Container, project_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ingest_file(container.ingestor, project_id=project_id, file_name="w.md", data=V1)

    def broken_add(*args: object, **kwargs: object) -> None:
        raise ProviderUnavailableError("the vector store failed to store chunks: connection refused")

    monkeypatch.setattr(container.vectors, "add", broken_add)
    second = ingest_file(container.ingestor, project_id=project_id, file_name="w.md", data=V2)
    assert second.status.value == "failed"
    assert (
        "connection refused" in (second.reason or "")
        and "previously indexed version is kept" in second.reason
    )
    assert "5月25日" in visible_text(container, first.document_id or "")
    with container.sessions() as session:
        doc = documents.get_document(session, project_id=project_id, document_id=first.document_id or "")
        assert doc.status == "indexed"
        # no half-written rows of the failed version are left behind
        assert {c.version for c in session.query(Chunk).filter_by(document_id=doc.id)} == {doc.active_version}


def test_reader_failure_of_a_new_version_keeps_the_old_one(container: Container, project_id: str) -> None:
    first = ingest_file(container.ingestor, project_id=project_id, file_name="w.txt", data=V1)
    bad = ingest_file(
        container.ingestor, project_id=project_id, file_name="w.txt", data=b"\x00\x01\x02" * 100
    )
    assert bad.status.value == "failed" and bad.document_id == first.document_id
    assert "5月25日" in visible_text(container, first.document_id or "")


def test_staged_job_survives_a_restart_and_is_resumed(container: Container, project_id: str) -> None:
    job_id = stage_job(
        container.ingestor, project_id=project_id, uploads=[Upload("a.md", V1), Upload("b.md", V2)]
    )
    queue_job(container.background, job_id)
    # a new worker (as after a restart) picks up the queued job by itself
    work = BackgroundWork(container.sessions)
    register_ingestion(work, container.ingestor)
    work.start()
    try:
        assert work.wait_idle(timeout=60)
    finally:
        work.stop()
    with container.sessions() as session:
        job = jobs_repo.get_job(session, job_id=job_id)
        assert job.status == "done"
        assert [f.status for f in jobs_repo.job_files(session, job_id=job_id)] == ["indexed", "indexed"]
    assert not (container.settings.uploads_dir / job_id).exists()


def test_job_counts_attachments_of_an_email_as_their_own_files(container: Container, project_id: str) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "li.na@example.com", "wang.lei@example.com", "联调环境"
    msg["Date"] = "Fri, 20 Mar 2026 17:42:10 +0800"
    msg.set_content("联调环境清单见附件。")
    msg.add_attachment(
        "测试服务器：10 台".encode(), maintype="text", subtype="plain", filename="联调环境清单.txt"
    )
    job_id = stage_job(container.ingestor, project_id=project_id, uploads=[Upload("mail.eml", bytes(msg))])
    run_job(container.ingestor, job_id)
    with container.sessions() as session:
        files = jobs_repo.job_files(session, job_id=job_id)
        assert [(f.file_name, f.status) for f in files] == [
            ("mail.eml", "indexed"),
            ("mail.eml/联调环境清单.txt", "indexed"),
        ]
        child = documents.get_document(session, project_id=project_id, document_id=files[1].document_id or "")
        assert child.parent_id == files[0].document_id
        parent = documents.get_document(
            session, project_id=project_id, document_id=files[0].document_id or ""
        )
        assert (
            parent.doc_type == "email"
            and parent.doc_date is not None
            and parent.doc_date.isoformat() == "2026-03-20"
        )
