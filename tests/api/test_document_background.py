"""Each document says what background work has done for it: fast search ready, risk scan progress."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.container import Container
from api.main import create_app
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from tests.api.test_projects_documents import make_project, upload
from tests.conftest import admin_headers, make_settings

MINUTES = (
    "# 周例会纪要\n\n1. PLC 网关交货可能延期，IF-05 联调存在风险，尚未确认新的到货日期。\n\n"
    "2. 关键人员何志远已提出离职，知识交接尚未安排，存在风险。\n"
).encode()


def test_with_automatic_scans_off_the_document_says_so(client: TestClient) -> None:
    pid = make_project(client)
    doc = upload(client, pid, ("纪要.md", MINUTES))["files"][0]["document_id"]
    [item] = client.get(f"/projects/{pid}/documents").json()["items"]
    assert item["background"]["rerank_ready"] is True  # the fake embedder has no rerank step to prepare
    scan = item["background"]["scan"]
    assert scan["status"] == "pending" and "ASSISTANT_RISK_AUTO_SCAN" in scan["reason"]
    assert client.get(f"/projects/{pid}/documents/{doc}").json()["background"] == item["background"]


def test_the_automatic_scan_reports_how_far_it_got(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, risk_auto_scan=True)
    chat = ScriptedChatModel(default_reply='{"risks": []}')
    container = Container(settings, embeddings=HashingEmbeddings(), chat_model=chat)
    try:
        with TestClient(create_app(container=container), headers=admin_headers(container)) as client:
            pid = make_project(client)
            doc = upload(client, pid, ("纪要.md", MINUTES))["files"][0]["document_id"]
            assert container.background.wait_idle(timeout=30)
            scan = client.get(f"/projects/{pid}/documents/{doc}").json()["background"]["scan"]
            assert scan["status"] == "done" and scan["reason"] is None
            assert scan["passages_total"] >= 1 and scan["passages_done"] == scan["passages_total"]
            assert len(chat.history) == scan["passages_total"]  # one call per passage read
    finally:
        container.close()


def test_a_failed_scan_shows_its_reason(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, risk_auto_scan=True)
    chat = ScriptedChatModel()  # no reply queued: the model "fails"
    chat.enqueue(ConnectionError("the model server is down"))
    container = Container(settings, embeddings=HashingEmbeddings(), chat_model=chat)
    try:
        with TestClient(create_app(container=container), headers=admin_headers(container)) as client:
            pid = make_project(client)
            doc = upload(client, pid, ("纪要.md", MINUTES))["files"][0]["document_id"]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                scan = client.get(f"/projects/{pid}/documents/{doc}").json()["background"]["scan"]
                if scan["status"] == "failed":
                    break
                time.sleep(0.05)
            assert scan["status"] == "failed" and "unavailable" in scan["reason"]
    finally:
        container.close()


def test_a_start_loads_what_a_search_uses_before_anyone_asks(tmp_path: Path) -> None:
    """The first search after a restart paid ~2 s for loading the embedder and jieba's dictionary."""
    from assistant.text import _jieba

    queries: list[str] = []

    class Counting(HashingEmbeddings):
        def embed_query(self, text: str) -> list[float]:
            queries.append(text)
            return super().embed_query(text)

    _jieba.cache_clear()
    container = Container(make_settings(tmp_path), embeddings=Counting(), chat_model=ScriptedChatModel())
    try:
        container.start_background()
        assert container.background.wait_idle(timeout=30)
        assert queries and _jieba.cache_info().currsize == 1
    finally:
        container.close()
