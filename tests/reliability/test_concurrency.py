"""Many people at once, over real sockets: 50 editors of one risk who all read the same version, and 20
uploads to one project at the same moment."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from fastapi import FastAPI

from api.container import Container
from api.main import create_app
from assistant.index.vector import collection_name
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.providers.store import make_chroma_client
from tests.conftest import admin_headers, make_settings
from tests.reliability.conftest import Record
from tests.reliability.harness import half_written, live_server

T = TypeVar("T")
EDITORS, UPLOADS = 50, 20


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    c = Container(make_settings(tmp_path), embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel())
    yield c
    c.close()


@pytest.fixture
def served(container: Container) -> Iterator[tuple[str, dict[str, str]]]:
    app: FastAPI = create_app(container=container)
    with live_server(app) as url:
        yield url, admin_headers(container)


def all_at_once(n: int, call: Callable[[httpx.Client, int], T], url: str, headers: dict[str, str]) -> list[T]:
    """``call(client, i)`` from ``n`` threads, each with its own connection, released together."""
    start = threading.Barrier(n)

    def one(i: int) -> T:
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            client.get("/health")  # connected before the race starts
            start.wait()
            return call(client, i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_fifty_editors_of_one_version_one_wins_and_the_history_has_one_change_per_field(
    served: tuple[str, dict[str, str]], container: Container, figures: Record
) -> None:
    url, headers = served
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        project = client.post("/projects", json={"name": "Concurrent ERP"}).json()["id"]
        risk = client.post(
            f"/projects/{project}/risks", json={"title": "MES API late", "probability": 2, "impact": 3}
        ).json()
    edits = {i: {"owner": f"editor {i}", "probability": 1 + i % 5, "impact": 5} for i in range(EDITORS)}

    def patch(client: httpx.Client, i: int) -> httpx.Response:
        body = {"version": risk["version"], **edits[i]}
        return client.patch(f"/projects/{project}/risks/{risk['id']}", json=body)

    answers = all_at_once(EDITORS, patch, url, headers)

    statuses = Counter(r.status_code for r in answers)
    figures("lost updates", max(0, statuses[200] - 1))  # edits accepted on a version another edit replaced
    figures("edits refused with 409", statuses[409])
    assert Counter(r.status_code for r in answers) == {200: 1, 409: EDITORS - 1}, [
        (r.status_code, r.text[:200]) for r in answers if r.status_code not in (200, 409)
    ]
    winner = next(i for i, r in enumerate(answers) if r.status_code == 200)
    # Refused because someone changed it: whether the version check or the guarded UPDATE caught the race.
    assert all("changed" in r.json()["detail"] for r in answers if r.status_code == 409)
    with httpx.Client(base_url=url, headers=headers) as client:
        after = client.get(f"/projects/{project}/risks/{risk['id']}").json()
    assert after["version"] == risk["version"] + 1
    assert {k: after[k] for k in edits[winner]} == edits[winner]  # the winner's edit, whole; nobody else's
    changed = {
        f: (None if risk[f] is None else str(risk[f]), str(v))
        for f, v in edits[winner].items()
        if risk[f] != v
    }
    history = [h for h in after["history"] if h["kind"] == "changed"]
    assert {h["field"]: (h["old_value"], h["new_value"]) for h in history} == changed
    assert len(history) == len(changed)  # one row per field the one successful edit changed, no more
    with container.sessions() as session:
        assert half_written(session, finished=True) == []


def upload(i: int) -> bytes:
    """A distinct meeting note: its own topic word, several chunks."""
    lines = [f"# 第{i}次周例会 Topic-{i:02d}", ""]
    lines += [
        f"第{n}项：Topic-{i:02d} 接口联调安排，负责人王磊，{n + 1}日前完成数据核对。" for n in range(25)
    ]
    return "\n".join(lines).encode()


def test_twenty_simultaneous_uploads_index_every_file_exactly_once(
    served: tuple[str, dict[str, str]], container: Container, figures: Record
) -> None:
    url, headers = served
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        project = client.post("/projects", json={"name": "Upload storm"}).json()["id"]

    def send(client: httpx.Client, i: int) -> httpx.Response:
        files = [("files", (f"周例会-{i:02d}.md", upload(i)))]
        return client.post(f"/projects/{project}/documents", files=files)

    answers = all_at_once(UPLOADS, send, url, headers)

    assert [r.status_code for r in answers] == [202] * UPLOADS, [
        r.text for r in answers if r.status_code != 202
    ]
    assert len({r.json()["job_id"] for r in answers}) == UPLOADS
    assert container.background.wait_idle(timeout=120)
    with httpx.Client(base_url=url, headers=headers) as client:
        jobs = [client.get(f"/jobs/{r.json()['job_id']}").json() for r in answers]
        docs = client.get(f"/projects/{project}/documents").json()["items"]
    assert [(j["status"], [f["status"] for f in j["files"]]) for j in jobs] == [
        ("done", ["indexed"])
    ] * UPLOADS
    assert sorted(d["file_name"] for d in docs) == sorted(f"周例会-{i:02d}.md" for i in range(UPLOADS))
    assert {d["status"] for d in docs} == {"indexed"}
    by_job = {j["files"][0]["document_id"] for j in jobs}
    assert by_job == {d["id"] for d in docs}  # each job indexed its own file into its own document

    collection = make_chroma_client(container.settings).get_collection(collection_name(project))
    vectors = Counter(str(m["document_id"]) for m in collection.get(include=["metadatas"])["metadatas"] or [])
    with container.sessions() as session:
        problems = half_written(session, finished=True)
    twice = len(docs) - len({d["file_name"] for d in docs})
    twice += sum(abs(vectors[d["id"]] - d["chunk_count"]) for d in docs)
    figures("concurrent uploads indexed", sum(d["status"] == "indexed" for d in docs))
    figures("files indexed twice or vectors duplicated", twice)
    assert problems == []
    assert vectors == {d["id"]: d["chunk_count"] for d in docs}  # no document's vectors written twice
    assert all(d["chunk_count"] > 1 for d in docs)
