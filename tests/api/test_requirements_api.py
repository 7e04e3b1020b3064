from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.providers.fakes import ScriptedChatModel
from tests.api.test_projects_documents import make_project, upload

SPEC = """# 集成需求规格说明书

## 3 功能需求

REQ-ERP-001 ERP 系统应在生产订单审批后 5 分钟内将订单下发至 MES。

REQ-ERP-002 系统应尽快响应用户的查询请求，界面应友好。

REQ-WMS-002 库存数据应被定期同步。
""".encode()


def test_pasted_text_is_checked_with_named_rules(client: TestClient) -> None:
    pid = make_project(client)
    resp = client.post(
        f"/projects/{pid}/requirements/check",
        json={"text": "The system shall respond quickly and should be user-friendly where possible."},
    )
    assert resp.status_code == 200, resp.text
    [req] = resp.json()["requirements"]
    rules = {f["rule"] for f in req["findings"]}
    assert {"vague_term", "escape_clause"} <= rules
    assert req["score"] < 80 and req["rewrite"] and req["acceptance_criteria"]
    words = {w for f in req["findings"] for w in f["words"]}
    assert "quickly" in words


def test_text_or_document_but_not_both(client: TestClient) -> None:
    pid = make_project(client)
    resp = client.post(f"/projects/{pid}/requirements/check", json={})
    assert resp.status_code == 422 and "exactly one of text or document_id" in resp.json()["detail"]


def test_uploaded_spec_fills_the_project_list_with_ids_scores_and_sections(client: TestClient) -> None:
    pid = make_project(client)
    doc_id = upload(client, pid, ("需求规格说明书.md", SPEC))["files"][0]["document_id"]
    listed = client.get(f"/projects/{pid}/requirements").json()
    by_id = {r["id"]: r for r in listed["items"]}
    assert {"REQ-ERP-001", "REQ-ERP-002", "REQ-WMS-002"} <= set(by_id)
    assert by_id["REQ-ERP-001"]["score"] > by_id["REQ-ERP-002"]["score"]
    assert by_id["REQ-ERP-002"]["document_id"] == doc_id
    assert "功能需求" in (by_id["REQ-ERP-002"]["section"] or "")
    weak = client.get(f"/projects/{pid}/requirements", params={"rule": "vague_term"}).json()
    assert "REQ-ERP-002" in {r["id"] for r in weak["items"]}
    assert "REQ-ERP-001" not in {r["id"] for r in weak["items"]}

    checked = client.post(f"/projects/{pid}/requirements/check", json={"document_id": doc_id}).json()
    assert {r["id"] for r in checked["requirements"]} == {r["id"] for r in listed["items"]}
    assert (
        client.get(f"/projects/{pid}/requirements").json()["total"] == listed["total"]
    )  # replaced, not added


def test_llm_rewrite_keeps_findings_tied_to_real_rules_and_words(
    client: TestClient, chat_model: ScriptedChatModel
) -> None:
    pid = make_project(client)
    chat_model.enqueue(
        {
            "rewrite": "当用户提交查询时，系统应在 <≤ 2 秒> 内返回结果。",
            "acceptance_criteria": ["鉴于系统正常运行，当用户提交查询，那么结果在 2 秒内返回"],
            "findings": [
                {"rule": "vague_term", "words": ["响应"]},
                {"rule": "made_up_rule", "words": ["系统"]},
                {"rule": "vague_term", "words": ["不存在的词"]},
            ],
        }
    )
    body = client.post(
        f"/projects/{pid}/requirements/check",
        json={"text": "系统应尽快响应用户的查询请求。", "use_llm": True, "llm_limit": 1},
    ).json()
    [req] = body["requirements"]
    assert req["rewrite"].startswith("当用户提交查询时")
    ai = [f for f in req["findings"] if f["message"].endswith("(AI)")]
    assert [(f["rule"], f["words"]) for f in ai] == [("vague_term", ["响应"])]
