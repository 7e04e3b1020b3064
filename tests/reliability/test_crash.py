"""SIGKILL in the middle of a 30-file upload and of a risk scan: `assistant serve` as a real process, its
model and embedder a stand-in OpenAI-compatible server on loopback (tests/reliability/harness.py), which holds
a chosen call unanswered so the kill lands while a document is being written or scanned.

After each kill the database is read directly: nothing half-written. After the restart the work resumes and
ends: every file indexed once, in the chunk table and in Chroma alike, every scan done, every risk whole."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.background.models import Task
from assistant.db import make_engine
from assistant.documents.models import Chunk, Document
from assistant.index.vector import collection_name
from assistant.jobs.models import Job, JobFile
from assistant.providers.store import make_chroma_client
from assistant.risks.models import Risk, RiskEvidence
from assistant.settings import Settings
from tests.conftest import make_settings
from tests.reliability.conftest import Record
from tests.reliability.harness import FakeOpenAI, Hold, half_written

FILES = 30
KILL_IN_UPLOAD = 12  # the file whose embedding call hangs when the server is killed
KILL_IN_SCAN = 20  # the file whose risk-scan call hangs when it is killed again
START_S, WORK_S = 90.0, 120.0  # hard limits: start-up, and the work after the last restart


def note(i: int) -> bytes:
    """A meeting note with risk language (so the scan sends it to the model) and its own marker."""
    lines = [f"# 周例会纪要 FILE-{i:02d}", ""]
    for n in range(12):
        lines.append(f"第{n + 1}项：FILE-{i:02d} 的 MES 接口版本尚未确认，第{n + 1}批数据迁移可能延期两周。")
        lines.append(f"会议记录 FILE-{i:02d}：WMS 组第{n + 1}次核对库位编码，负责人王磊。")
    return "\n".join(lines).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`assistant serve` in its own process on a data directory that outlives it."""

    def __init__(self, tmp_path: Path, fake: FakeOpenAI) -> None:
        self.data_dir = tmp_path / "data"
        self.log = tmp_path / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and "proxy" not in k.lower()
        }
        self.env.update(
            ASSISTANT_DATA_DIR=str(self.data_dir),
            ASSISTANT_CACHE_DIR=str(tmp_path / "cache"),
            ASSISTANT_LLM_PROVIDER="openai",
            ASSISTANT_LLM_BASE_URL=fake.base_url,
            ASSISTANT_LLM_MODEL="stand-in",
            ASSISTANT_LLM_STRUCTURED_METHOD="json_object",
            ASSISTANT_EMBEDDINGS_PROVIDER="openai",
            ASSISTANT_EMBEDDINGS_MODEL="stand-in-embedder",
            ASSISTANT_RISK_AUTO_SCAN="true",
            ASSISTANT_RETRIEVAL_RERANK="none",
            NO_PROXY="127.0.0.1,localhost",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(Path(sys.executable).parent / "assistant"), "serve", "--host", "127.0.0.1"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                env=self.env,
                cwd=self.data_dir.parent,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not start in {START_S} s")

    def kill(self) -> None:
        assert self.process is not None and self.process.poll() is None, "the server died before the kill"
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def client(self) -> httpx.Client:
        key = (self.data_dir / "admin.key").read_text().strip()
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)

    @property
    def settings(self) -> Settings:
        """The settings of the test process that reach the same database and Chroma folder."""
        return make_settings(self.data_dir.parent)


@contextmanager
def database(server: Server) -> Iterator[Callable[..., list[str]]]:
    """The server's database, read directly while the server is down."""
    engine = make_engine(server.settings.resolved_database_url)
    try:

        def problems(*, finished: bool) -> list[str]:
            with Session(engine) as session:
                return half_written(session, finished=finished)

        yield problems
    finally:
        engine.dispose()


def wait_until(what: str, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as f:
        yield f


@pytest.fixture
def server(tmp_path: Path, fake: FakeOpenAI) -> Iterator[Server]:
    s = Server(tmp_path, fake)
    s.data_dir.mkdir()
    try:
        yield s
    finally:
        s.stop()


def test_killed_mid_upload_and_mid_scan_the_server_repairs_and_finishes(
    server: Server, fake: FakeOpenAI, figures: Record
) -> None:
    found: list[str] = []  # half-written records, after each kill and at the end
    # 1. Killed while file 12 of 30 is being embedded: some files indexed, not all.
    fake.embedding_hold = Hold(f"FILE-{KILL_IN_UPLOAD:02d}")
    server.start()
    with server.client() as client:
        project = client.post("/projects", json={"name": "Crash ERP"}).json()["id"]
        files = [("files", (f"周例会-{i:02d}.md", note(i))) for i in range(FILES)]
        accepted = client.post(f"/projects/{project}/documents", files=files)
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["job_id"]
    assert fake.embedding_hold.reached.wait(WORK_S), "the upload never reached the file to be killed in"
    server.kill()
    fake.embedding_hold.release.set()
    fake.embedding_hold = None
    with database(server) as problems:
        found += problems(finished=False)
    assert found == []
    engine = make_engine(server.settings.resolved_database_url)
    with engine.connect() as conn:
        statuses = [s for (s,) in conn.execute(select(JobFile.status).where(JobFile.job_id == job_id))]
    engine.dispose()
    assert 0 < statuses.count("indexed") < FILES, statuses

    # 2. Restarted, the upload resumes; killed again while file 20's risk scan waits for the model.
    fake.chat_hold = Hold(f"FILE-{KILL_IN_SCAN:02d}")
    server.start()
    assert fake.chat_hold.reached.wait(WORK_S), "no risk scan reached the file to be killed in"
    server.kill()
    fake.chat_hold.release.set()
    fake.chat_hold = None
    with database(server) as problems:
        found += problems(finished=False)
    assert found == []

    # 3. Restarted without holds: the job and every scan finish.
    server.start()
    with server.client() as client:

        def finished() -> bool:
            job = client.get(f"/jobs/{job_id}").json()
            docs = client.get(f"/projects/{project}/documents").json()["items"]
            scans = {d["background"]["scan"]["status"] for d in docs}
            return job["status"] in ("done", "failed") and len(docs) == FILES and scans <= {"done", "failed"}

        wait_until("the job and the scans to finish", finished, WORK_S)
        job = client.get(f"/jobs/{job_id}").json()
        docs = client.get(f"/projects/{project}/documents").json()["items"]
    server.stop()
    with database(server) as problems:
        found += problems(finished=True)
    figures("server kills", 2)
    figures("half-written records after kills", len(found))
    assert found == []

    assert (job["status"], job["error"]) == ("done", None)
    assert [(f["file_name"], f["status"], f["reason"]) for f in job["files"]] == [
        (f"周例会-{i:02d}.md", "indexed", None) for i in range(FILES)
    ]
    assert [(d["status"], d["background"]["scan"]["status"]) for d in docs] == [("indexed", "done")] * FILES
    engine = make_engine(server.settings.resolved_database_url)
    with engine.connect() as conn:
        docs_db = {d.id: d for d in conn.execute(select(Document.id, Document.active_version))}
        chunk_ids: dict[str, set[str]] = {}
        for cid, doc_id, version in conn.execute(select(Chunk.id, Chunk.document_id, Chunk.version)):
            assert version == docs_db[doc_id].active_version
            chunk_ids.setdefault(doc_id, set()).add(cid)
        tasks = list(conn.execute(select(Task.queue, Task.status, Task.error)))
        risks = list(conn.execute(select(Risk.id, Risk.status, Risk.source)))
        evidence = list(
            conn.execute(select(RiskEvidence.risk_id, RiskEvidence.document_id, RiskEvidence.quote_hash))
        )
        jobs = list(conn.execute(select(Job.status)))
    engine.dispose()
    # Every task ran to its end; none is left running or waiting.
    assert {status for _, status, _ in tasks} <= {"done"}, [t for t in tasks if t[1] != "done"]
    assert [s for (s,) in jobs] == ["done"]
    # Chroma holds exactly the chunk table's ids, document by document.
    collection = make_chroma_client(server.settings).get_collection(collection_name(project))
    stored = collection.get(include=["metadatas"])
    vector_ids: dict[str, set[str]] = {}
    for cid, meta in zip(stored["ids"], stored["metadatas"] or [], strict=True):
        vector_ids.setdefault(str(meta["document_id"]), set()).add(cid)
    assert vector_ids == chunk_ids
    # The scan found risks, each a draft of the assistant's with evidence, and no evidence twice.
    assert risks and {(status, source) for _, status, source in risks} == {("draft", "ai")}
    assert len(evidence) == len({(doc, h) for _, doc, h in evidence})
    assert {doc for _, doc, _ in evidence} == set(chunk_ids)  # every document's scan got to the model
