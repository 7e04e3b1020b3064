"""A crash anywhere in writing a document leaves a state the next attempt repairs; no job reason ever shows
raw SQL or a path on the server."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api.container import Container
from assistant.background.worker import BackgroundWork
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.documents.models import Chunk, Document
from assistant.index import chunks as chunk_store
from assistant.index.vector import VectorIndex, collection_name
from assistant.jobs.models import Job, JobFile
from assistant.projects import repository as projects
from assistant.providers.store import make_chroma_client
from ingest import service
from ingest.jobs import register_ingestion, run_job
from ingest.pipeline import Ingestor, ingest_file, prepare_chunks, sha256_hex
from ingest.readers import read_document
from ingest.staging import Upload, stage_job
from tests.ingest.crashes import CRASH_POINTS, NAME, V1, V2, WORD, Killed, crashing


@pytest.fixture
def project_id(container: Container) -> str:
    with transaction(container.sessions) as session:
        return projects.create_project(session, name="crash").id


def the_document(container: Container, project_id: str) -> Document:
    with container.sessions() as session:
        doc = documents.find_document(session, project_id=project_id, file_name=NAME)
        assert doc is not None
        session.expunge(doc)
        return doc


def vector_ids(container: Container, project_id: str, doc_id: str) -> set[str]:
    collection = make_chroma_client(container.settings).get_collection(collection_name(project_id))
    return set(collection.get(where={"document_id": doc_id})["ids"])


def assert_whole(container: Container, project_id: str, data: bytes) -> None:
    """Indexed, with exactly the chunks of ``data`` in both indexes, and found by a search."""
    doc = the_document(container, project_id)
    assert (doc.status, doc.reason, doc.sha256) == ("indexed", None, sha256_hex(data))
    settings = container.settings.ingest
    expected = [
        c.text
        for c in prepare_chunks(
            read_document(NAME, data), size=settings.chunk_size, overlap=settings.chunk_overlap
        )
    ]
    assert len(expected) > 2
    with container.sessions() as session:
        rows = session.query(Chunk).filter_by(document_id=doc.id).order_by(Chunk.position).all()
        assert [r.text for r in rows] == expected and doc.chunk_count == len(expected)
        assert {r.version for r in rows} == {doc.active_version}
        row_ids = {r.id for r in rows}
        word = WORD[sha256_hex(data)]
        hits = chunk_store.keyword_search(session, project_id=project_id, query=word, k=100)
        assert {h.chunk_id for h in hits} == row_ids
    assert vector_ids(container, project_id, doc.id) == row_ids
    found = container.search(project_id, f"{word} 接口联调", top_k=5)
    assert found.results and all(r.document_id == doc.id for r in found.results)


SERVER_PATH = re.compile(r"(^|[\s'\"(:])/\w+/")


def assert_reasons_are_sentences(container: Container) -> None:
    with container.sessions() as session:
        texts = [f.reason for f in session.query(JobFile)] + [j.error for j in session.query(Job)]
        texts += [d.reason for d in session.query(Document)]
    for text in filter(None, texts):
        assert not re.search(r"SQL|UNIQUE|INSERT|constraint|Traceback", text), text
        assert not SERVER_PATH.search(text) and str(container.settings.data_dir) not in text, text


def crash_a_job(container: Container, project_id: str, at: str, data: bytes) -> str:
    job_id = stage_job(crashing(container, at), project_id=project_id, uploads=[Upload(NAME, data)])
    with pytest.raises(Killed):
        run_job(crashing(container, at), job_id)
    return job_id


def retry(container: Container, project_id: str, job_id: str) -> None:
    """What the worker does at the next start: the task runs again, the file left 'reading' with it."""
    run_job(container.ingestor, job_id)


def reupload(container: Container, project_id: str, job_id: str) -> None:
    run_job(
        container.ingestor, stage_job(container.ingestor, project_id=project_id, uploads=[Upload(NAME, V2)])
    )


def queue_only(container: Container) -> BackgroundWork:
    """Background work that is never started: the tests run the jobs themselves."""
    work = BackgroundWork(container.sessions)
    register_ingestion(work, container.ingestor)
    return work


def reindex(container: Container, project_id: str, job_id: str) -> None:
    new_job, _ = service.submit_reindex(container.ingestor, queue_only(container), project_id, None)
    run_job(container.ingestor, new_job)


REPAIRS: dict[str, Callable[[Container, str, str], None]] = {
    "retry": retry,
    "reupload": reupload,
    "reindex": reindex,
}


@pytest.mark.parametrize("at", CRASH_POINTS)
@pytest.mark.parametrize("repair", list(REPAIRS))
def test_a_crash_while_replacing_a_version_is_repaired_by_the_next_attempt(
    container: Container, project_id: str, at: str, repair: str
) -> None:
    run_job(
        container.ingestor, stage_job(container.ingestor, project_id=project_id, uploads=[Upload(NAME, V1)])
    )
    job_id = crash_a_job(container, project_id, at, V2)
    flipped = at == "before_old_removed"
    doc = the_document(container, project_id)
    assert doc.status == "indexed" and doc.sha256 == sha256_hex(
        V2 if flipped else V1
    )  # readers never saw a gap
    REPAIRS[repair](container, project_id, job_id)
    # A re-index reads the original of the version that is active; the others bring the new bytes.
    assert_whole(container, project_id, V2 if repair != "reindex" or flipped else V1)
    assert_reasons_are_sentences(container)


@pytest.mark.parametrize("at", ["before_vectors", "half_the_vectors", "before_the_flip"])
@pytest.mark.parametrize("repair", list(REPAIRS))
def test_a_crash_while_indexing_a_new_document_is_repaired_by_the_next_attempt(
    container: Container, project_id: str, at: str, repair: str
) -> None:
    """The reported case: chunk rows committed, the vectors cut off, the document left 'reading'; every
    later attempt used to fail with 'UNIQUE constraint failed: chunks.id'."""
    job_id = crash_a_job(container, project_id, at, V2)
    assert the_document(container, project_id).status == "reading"
    REPAIRS[repair](container, project_id, job_id)
    assert_whole(container, project_id, V2)
    assert_reasons_are_sentences(container)


class BrokenVectors(VectorIndex):
    """A store that fails with something other than the product's own errors, its text full of SQL and paths."""

    def add(
        self, project_id: str, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]
    ) -> None:
        super().add(project_id, ids[:1], vectors[:1], metadatas[:1])
        raise RuntimeError(
            f'(sqlite3.IntegrityError) UNIQUE constraint failed [SQL: INSERT INTO x] at "{Path.cwd()}/x"'
        )


def test_an_unexpected_failure_fails_the_file_with_a_sentence_and_leaves_nothing(
    container: Container, project_id: str
) -> None:
    broken = Ingestor(
        settings=container.settings,
        sessions=container.sessions,
        vectors=BrokenVectors(make_chroma_client(container.settings), container.embeddings),
    )
    first = ingest_file(broken, project_id=project_id, file_name=NAME, data=V2)
    assert (first.status.value, first.reason) == (
        "failed",
        "internal error while indexing the file; the server log has the details",
    )
    doc = the_document(container, project_id)
    assert doc.status == "failed" and doc.reason == first.reason
    with container.sessions() as session:
        assert session.query(Chunk).filter_by(document_id=doc.id).count() == 0
    assert vector_ids(container, project_id, doc.id) == set()
    assert (
        ingest_file(container.ingestor, project_id=project_id, file_name=NAME, data=V2).status.value
        == "indexed"
    )
    assert_whole(container, project_id, V2)


def test_a_reindex_after_the_document_was_deleted_fails_in_words_and_brings_nothing_back(
    container: Container, project_id: str
) -> None:
    ingest_file(container.ingestor, project_id=project_id, file_name=NAME, data=V1)
    # The same bytes under a second name keep the content-addressed original alive after the delete.
    ingest_file(container.ingestor, project_id=project_id, file_name="copy.md", data=V1)
    work = queue_only(container)
    doc_id = the_document(container, project_id).id
    job_id, _ = service.submit_reindex(container.ingestor, work, project_id, [doc_id])
    service.delete_document(container.ingestor, project_id, doc_id)
    run_job(container.ingestor, job_id)
    with container.sessions() as session:
        [row] = session.query(JobFile).filter_by(job_id=job_id).all()
        assert (row.status, row.reason) == (
            "failed",
            "the document was deleted before it could be re-indexed",
        )
        assert documents.find_document(session, project_id=project_id, file_name=NAME) is None
    # and when the delete took the original with it
    second_job = service.submit_reindex(container.ingestor, work, project_id, None)[0]
    with container.sessions() as session:
        other = documents.find_document(session, project_id=project_id, file_name="copy.md")
        assert other is not None
    service.delete_document(container.ingestor, project_id, other.id)
    run_job(container.ingestor, second_job)
    with container.sessions() as session:
        [row] = session.query(JobFile).filter_by(job_id=second_job).all()
        assert (row.status, row.reason) == (
            "failed",
            "the document was deleted before it could be re-indexed",
        )
    assert_reasons_are_sentences(container)


class DeletedMidway(VectorIndex):
    """Someone deletes the document while its vectors are being written."""

    def __init__(self, container: Container, project_id: str) -> None:
        super().__init__(make_chroma_client(container.settings), container.embeddings)
        self.container, self.project_id = container, project_id

    def add(
        self, project_id: str, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]
    ) -> None:
        doc_id = str(metadatas[0]["document_id"])
        service.delete_document(self.container.ingestor, self.project_id, doc_id)
        super().add(project_id, ids, vectors, metadatas)


def test_a_delete_during_the_write_wins_and_leaves_no_vectors(container: Container, project_id: str) -> None:
    ingest_file(container.ingestor, project_id=project_id, file_name=NAME, data=V1)
    doc_id = the_document(container, project_id).id
    racing = Ingestor(
        settings=container.settings, sessions=container.sessions, vectors=DeletedMidway(container, project_id)
    )
    outcome = ingest_file(racing, project_id=project_id, file_name=NAME, data=V2)
    assert (outcome.status.value, outcome.reason) == (
        "failed",
        "the document was deleted while it was being indexed",
    )
    with container.sessions() as session:
        assert documents.find_document(session, project_id=project_id, file_name=NAME) is None
        assert session.query(Chunk).filter_by(document_id=doc_id).count() == 0
    assert vector_ids(container, project_id, doc_id) == set()
