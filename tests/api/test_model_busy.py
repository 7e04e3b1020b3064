"""A person's call that cannot reach the model in time is told so, with its place and when to come back."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from api.container import Container
from assistant.providers.fakes import ScriptedChatModel
from assistant.providers.scheduler import Priority
from tests.api.test_five_why import MINUTES
from tests.api.test_projects_documents import make_project, upload


def test_ask_while_background_work_holds_the_model_past_the_budget_is_503_with_the_queue(
    client: TestClient, container: Container, chat_model: ScriptedChatModel
) -> None:
    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    container.chat_model  # noqa: B018 - the gate is put on the model when the container first hands it out
    container.scheduler.interactive_wait_s = 0.2
    scan = uuid.uuid4()
    container.scheduler.acquire(scan, Priority.background)  # a scan call is in flight
    try:
        chat_model.enqueue({"answer": "高峰时段顾客平均排队超过8分钟[1]。", "not_found": False})
        resp = client.post(f"/projects/{pid}/ask", json={"question": "顾客排队多久？"})
        assert resp.status_code == 503, resp.text
        body = resp.json()
        assert body["error"] == "ModelBusyError" and body["queue_position"] == 2
        assert "busy" in body["detail"] and int(resp.headers["Retry-After"]) >= 1
        assert client.get("/health").json()["llm"]["in_flight"] == 1
    finally:
        container.scheduler.release(scan)
    resp = client.post(f"/projects/{pid}/ask", json={"question": "顾客排队多久？"})
    assert resp.status_code == 200 and resp.json()["citations_supported"] == 1
