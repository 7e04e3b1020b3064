"""Upload limits: the body is refused before it is read, budgets are per upload, staging never holds up the
event loop, and file names are labels, never paths."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from api.container import Container
from api.main import create_app
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from ingest import service
from tests.api.test_projects_documents import MINUTES, make_project, upload
from tests.conftest import make_settings
from tests.ingest.fixtures import make_zip

KB = 1024
CHUNK = 64 * KB


@pytest.fixture
def half_mb_app(tmp_path: Path) -> Iterator[FastAPI]:
    """An app whose uploads may carry 0.5 MB."""
    container = Container(
        make_settings(tmp_path, max_upload_mb=0.5),
        embeddings=HashingEmbeddings(),
        chat_model=ScriptedChatModel(),
    )
    yield create_app(container=container)
    container.close()


class Sender:
    """A client sending one multipart file of ``total`` bytes in 64 KB pieces, counting the pieces the server
    asked for."""

    def __init__(self, total: int) -> None:
        head = (
            b"--b0undary\r\n"
            b'Content-Disposition: form-data; name="files"; filename="big.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n"
        )
        body = head + b"x" * (total - len(head))
        self.pieces = [body[i : i + CHUNK] for i in range(0, total, CHUNK)]
        self.taken = 0

    async def receive(self) -> Message:
        if self.taken < len(self.pieces):
            self.taken += 1
            more = self.taken < len(self.pieces)
            return {"type": "http.request", "body": self.pieces[self.taken - 1], "more_body": more}
        return {"type": "http.disconnect"}


def post(app: FastAPI, sender: Sender, *, declare_length: bool) -> tuple[int, bytes]:
    headers = [(b"content-type", b"multipart/form-data; boundary=b0undary"), (b"host", b"testserver")]
    if declare_length:
        headers.append((b"content-length", str(sum(map(len, sender.pieces))).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/projects/p/documents",
        "raw_path": b"/projects/p/documents",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    anyio.run(app, scope, sender.receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_an_upload_declaring_more_than_the_limit_is_refused_before_a_byte_is_read(
    half_mb_app: FastAPI,
) -> None:
    sender = Sender(4 * 1024 * KB)
    status, body = post(half_mb_app, sender, declare_length=True)
    assert status == 413 and sender.taken == 0
    assert json.loads(body) == {
        "detail": "the upload is 4.0 MB, over the 0.5 MB one upload may carry (ASSISTANT_MAX_UPLOAD_MB); send "
        "fewer or smaller files at a time",
        "error": "TooLargeError",
    }


def test_a_chunked_upload_is_cut_off_at_the_limit(half_mb_app: FastAPI) -> None:
    sender = Sender(4 * 1024 * KB)  # no Content-Length: only counting the bytes can stop it
    status, body = post(half_mb_app, sender, declare_length=False)
    assert status == 413 and json.loads(body)["detail"].startswith("the upload is over the 0.5 MB one upload")
    assert sender.taken == 512 * KB // CHUNK + 1  # one piece past the limit, never the 4 MB


def test_small_zip_bombs_in_one_upload_are_one_failed_row_each_and_no_documents(
    client: TestClient, container: Container
) -> None:
    pid = make_project(client)
    bomb = make_zip([(f"part{i:03}.txt", b"\x00" * 1024 * KB) for i in range(100)])
    job = upload(client, pid, *((f"bomb{n}.zip", bomb) for n in range(3)), ("minutes.md", MINUTES))
    assert job["status"] == "done"
    files = {f["file_name"]: (f["status"], f["reason"] or "") for f in job["files"]}
    assert sorted(files) == ["bomb0.zip", "bomb1.zip", "bomb2.zip", "minutes.md"]
    assert all(
        files[f"bomb{n}.zip"][1].startswith(f"zip bomb suspected: 'bomb{n}.zip/part000.txt'")
        for n in range(3)
    )
    assert files["minutes.md"][0] == "indexed"
    listed = client.get(f"/projects/{pid}/documents").json()
    assert [d["file_name"] for d in listed["items"]] == ["minutes.md"]
    assert not any(p.is_file() for p in container.settings.uploads_dir.rglob("*"))


def test_staging_a_big_upload_does_not_hold_up_other_requests(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make_project(client)
    staging, release, answered_in_time = threading.Event(), threading.Event(), []
    real = service.stage_job

    def slow_stage(*args: Any, **kwargs: Any) -> str:
        staging.set()
        answered_in_time.append(release.wait(20))  # set only once /health has answered
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "stage_job", slow_stage)
    answers: dict[str, int] = {}
    uploading = threading.Thread(
        target=lambda: answers.update(
            upload=client.post(f"/projects/{pid}/documents", files=[("files", ("a.md", MINUTES))]).status_code
        )
    )
    uploading.start()
    assert staging.wait(20)
    answers["health"] = client.get("/health").status_code  # while the upload is still being staged
    release.set()
    uploading.join(20)
    assert answers == {"health": 200, "upload": 202} and answered_in_time == [True]


def test_file_names_are_labels_and_nothing_lands_outside_the_data_directory(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    pid = make_project(client)
    bundle = make_zip({"../../../planted.md": b"# planted\n\nnot here", "ok.md": MINUTES})
    job = upload(client, pid, ("../../../../escape.md", MINUTES), ("/home/pm/bundle.zip", bundle))
    assert {f["file_name"]: f["status"] for f in job["files"]} == {
        "escape.md": "indexed",  # what a path-like name says is dropped: it is only a label
        "home/pm/bundle.zip/../../../planted.md": "failed",
        "home/pm/bundle.zip/ok.md": "indexed",
    }
    uploads = container.settings.uploads_dir / "job"
    where_they_would_land = {
        (uploads / ("../" * n) / name).resolve() for n in range(6) for name in ("escape.md", "planted.md")
    }
    assert not [p for p in where_they_would_land if p.exists()]
    assert not [p for p in tmp_path.rglob("*") if p.name in ("escape.md", "planted.md")]
