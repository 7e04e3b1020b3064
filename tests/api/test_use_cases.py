"""One use case, one function: the route and the CLI command store the same result for the same input."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli_common
from api.cli import app as cli
from api.container import Container
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.settings import Settings
from tests.api.test_five_why import DRAFT, MINUTES
from tests.api.test_projects_documents import make_project, upload

SPEC = "# 性能需求\n\nREQ-PERF-001 系统应尽快响应用户的查询请求。\n".encode()
REWRITE = {
    "rewrite": "当用户提交查询时，系统应在 2 秒内返回结果。",
    "acceptance_criteria": ["鉴于 100 个并发用户，当提交查询，那么 95% 的请求在 2 秒内返回"],
    "findings": [{"rule": "vague_term", "words": ["响应"]}],
}


@pytest.fixture
def cli_uses_the_test_models(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, chat_model: ScriptedChatModel
) -> None:
    # The commands open their own container; this one shares the test's database and scripted model.
    monkeypatch.setattr(
        cli_common,
        "make_container",
        lambda: Container(settings, embeddings=HashingEmbeddings(), chat_model=chat_model),
    )


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def stored_result(analysis: dict) -> dict:
    keep = ("whys", "stop_reason", "root_need", "requirements", "solutions", "open_questions", "confidence")
    return {k: analysis[k] for k in keep}


def test_five_why_from_the_route_and_the_cli_store_the_same_analysis(
    client: TestClient, chat_model: ScriptedChatModel, cli_uses_the_test_models: None
) -> None:
    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    chat_model.enqueue(DRAFT)
    by_route = client.post(f"/projects/{pid}/five-why", json={"statement": "希望门店收银更快"}).json()
    chat_model.enqueue(DRAFT)
    run_cli("five-why", "希望门店收银更快", "-p", pid)
    items = client.get(f"/projects/{pid}/five-why").json()["items"]
    assert len(items) == 2
    by_cli = next(i for i in items if i["id"] != by_route["id"])
    assert stored_result(by_cli) == stored_result(by_route)
    assert by_cli["whys"][0]["citations"], "the CLI's analysis is grounded in the documents too"


def test_a_document_check_with_the_llm_stores_the_rewrites_from_the_route_and_the_cli(
    client: TestClient, chat_model: ScriptedChatModel, cli_uses_the_test_models: None
) -> None:
    pid = make_project(client)
    job = upload(client, pid, ("性能需求.md", SPEC))
    doc = job["files"][0]["document_id"]

    def stored() -> list[dict]:
        items = client.get(f"/projects/{pid}/requirements").json()["items"]
        return [{k: v for k, v in i.items() if k != "record_id"} for i in items]

    chat_model.enqueue(REWRITE)
    run_cli("requirements", "check", "--document", doc, "-p", pid, "--llm")
    by_cli = stored()
    chat_model.enqueue(REWRITE)
    resp = client.post(f"/projects/{pid}/requirements/check", json={"document_id": doc, "use_llm": True})
    assert resp.status_code == 200, resp.text
    by_route = stored()
    assert by_cli == by_route
    [req] = by_route
    assert req["rewrite"] == REWRITE["rewrite"]  # the model's rewrite is what is stored, from either side
    assert any(f["message"].endswith("(AI)") for f in req["findings"])


def test_ask_from_the_route_and_the_cli_gives_the_same_answer(
    client: TestClient, chat_model: ScriptedChatModel, cli_uses_the_test_models: None
) -> None:
    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    reply = {"answer": "高峰时段顾客平均排队超过8分钟[1]。", "not_found": False}
    chat_model.enqueue(reply)
    by_route = client.post(f"/projects/{pid}/ask", json={"question": "顾客排队多久？"}).json()
    assert by_route["citations_supported"] == 1, by_route
    chat_model.enqueue(reply)
    by_cli = json.loads(run_cli("ask", "顾客排队多久？", "-p", pid, "--json"))
    keep = ("answer", "refused", "citations", "citations_checked", "citations_supported")
    assert {k: by_cli[k] for k in keep} == {k: by_route[k] for k in keep}


@pytest.mark.parametrize("mode", ["--stream", "--no-stream"])
def test_the_cli_prints_the_answer_once_whether_it_streams_or_not(
    client: TestClient, chat_model: ScriptedChatModel, cli_uses_the_test_models: None, mode: str
) -> None:
    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    chat_model.enqueue({"answer": "高峰时段顾客平均排队超过8分钟[1]。", "not_found": False})
    out = run_cli("ask", "顾客排队多久？", "-p", pid, mode)
    assert out.count("排队超过8分钟[1]") == 1 and "1 of 1 citations held" in out


def test_the_cli_shows_each_round_once_then_what_the_documents_back(
    client: TestClient, chat_model: ScriptedChatModel, cli_uses_the_test_models: None
) -> None:
    pid = make_project(client)
    upload(client, pid, ("门店运营会议纪要.md", MINUTES))
    chat_model.enqueue(DRAFT)
    out = run_cli("five-why", "希望门店收银更快", "-p", pid)
    for why in DRAFT["whys"]:
        assert out.count(why["question"]) == 1  # type: ignore[index]
    assert "checked: 1 门店运营会议纪要.md · 2 门店运营会议纪要.md · 3 assumption" in out
