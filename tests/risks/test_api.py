"""The register over HTTP (run on SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.container import Container
from api.routes import risks as risk_routes
from assistant.providers.fakes import ScriptedChatModel
from assistant.risks.settings import RiskSettings
from tests.risks.conftest import HOOK_URL, Hook, add_document, finding, findings

BASE = "/projects/demo/risks"


def make_project(api: TestClient, name: str = "demo") -> None:
    assert api.post("/projects", json={"name": name}).status_code == 201


def actor(name: str) -> dict[str, str]:
    return {"X-Actor": quote(name)}


def new_risk(api: TestClient, by: str = "王磊", **fields: object) -> dict:
    body = {"title": "MES API v4 尚未确认", "probability": 3, "impact": 4, "category": "vendor"} | fields
    response = api.post(BASE, json=body, headers=actor(by))
    assert response.status_code == 201, response.text
    return response.json()


def test_create_read_list(api: TestClient) -> None:
    make_project(api)
    created = new_risk(api, owner="周涛", next_review="2026-01-05")
    assert (created["id"], created["status"], created["score"], created["band"]) == (
        "RSK-0001",
        "open",
        12,
        "high",
    )
    assert created["history"][0]["actor"] == "王磊" and created["overdue"] is True
    assert api.get(f"{BASE}/RSK-0001").json() == created
    assert api.get(f"{BASE}/rsk-1").json()["id"] == "RSK-0001"
    new_risk(api, title="低风险", probability=1, impact=2, category="other")
    listing = api.get(BASE).json()
    assert listing["total"] == 2 and [r["id"] for r in listing["items"]] == ["RSK-0001", "RSK-0002"]
    assert api.get(BASE, params={"band": "low,high", "sort": "score"}).json()["items"][0]["id"] == "RSK-0002"
    assert api.get(BASE, params=[("status", "open"), ("status", "draft")]).json()["total"] == 2
    assert api.get(BASE, params={"owner": "周涛"}).json()["total"] == 1
    assert api.get(BASE, params={"overdue": "true"}).json()["total"] == 1
    assert api.get(BASE, params={"limit": 1, "offset": 1}).json()["items"][0]["id"] == "RSK-0002"
    assert api.get(f"{BASE}/overdue").json()["items"][0]["id"] == "RSK-0001"


def test_bad_requests(api: TestClient) -> None:
    make_project(api)
    new_risk(api)
    assert api.get(f"{BASE}/RSK-0042").status_code == 404
    assert api.get("/projects/nope/risks").status_code == 404
    assert api.get(BASE, params={"sort": "bogus"}).status_code == 422
    assert "critical" in api.get(BASE, params={"band": "huge"}).json()["detail"]
    assert api.post(BASE, json={"title": "x", "probability": 9, "impact": 1}).status_code == 422
    assert (
        api.post(
            BASE, json={"title": "x", "probability": 1, "impact": 1}, headers={"X-Actor": "assistant"}
        ).status_code
        == 422
    )
    assert api.patch(f"{BASE}/RSK-0001", json={"impact": 2}).status_code == 422  # version is required
    assert api.post(f"{BASE}/RSK-0001/delete").status_code == 422


def test_patch_with_version_and_conflict(api: TestClient) -> None:
    make_project(api)
    new_risk(api)
    ok = api.patch(
        f"{BASE}/RSK-0001", json={"version": 1, "probability": 5, "owner": None}, headers=actor("李娜")
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["band"] == "critical"
    change = ok.json()["history"][-1]
    assert (change["actor"], change["field"], change["old_value"], change["new_value"]) == (
        "李娜",
        "probability",
        "3",
        "5",
    )
    stale = api.patch(f"{BASE}/RSK-0001", json={"version": 1, "probability": 1})
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    assert api.get(f"{BASE}/RSK-0001").json()["probability"] == 5


def test_transitions(api: TestClient) -> None:
    make_project(api)
    new_risk(api)
    refused = api.post(f"{BASE}/RSK-0001/close")
    assert refused.status_code == 409
    assert (
        "allowed: accept (-> accepted), start-mitigation (-> mitigating), mark-occurred"
        in refused.json()["detail"]
    )
    moved = api.post(
        f"{BASE}/RSK-0001/start-mitigation",
        json={"version": 1, "note": "CCB 批准"},
        headers={"X-Actor": "马骏".encode()},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "mitigating"
    assert moved.json()["history"][-1]["actor"] == "马骏"  # raw UTF-8 header bytes work too
    assert moved.json()["allowed_actions"] == ["close", "mark-occurred"]
    assert api.post(f"{BASE}/RSK-0001/close", json={"version": 1}).status_code == 409
    assert api.post(f"{BASE}/RSK-0001/close").json()["status"] == "closed"
    reopened = api.post(f"{BASE}/RSK-0001/reopen").json()
    assert reopened["status"] == "reopened"
    assert [h["new_value"] for h in reopened["history"] if h["kind"] == "transition"] == [
        "mitigating",
        "closed",
        "reopened",
    ]


def test_mitigation_actions(api: TestClient) -> None:
    make_project(api)
    new_risk(api)
    added = api.post(
        f"{BASE}/RSK-0001/actions",
        json={"description": "MQTT 模拟器", "owner": "周涛", "due_date": "2026-05-08"},
    )
    assert added.status_code == 201
    action_id = added.json()["actions"][0]["id"]
    done = api.patch(f"{BASE}/RSK-0001/actions/{action_id}", json={"status": "done"}).json()
    assert done["actions"][0]["status"] == "done" and done["version"] == 3
    assert (
        api.post(f"{BASE}/RSK-0001/actions", params={"version": 1}, json={"description": "x"}).status_code
        == 409
    )


def test_projects_do_not_see_each_others_risks(api: TestClient) -> None:
    make_project(api)
    make_project(api, "other")
    new_risk(api)
    assert api.get("/projects/other/risks/RSK-0001").status_code == 404
    assert api.get("/projects/other/risks").json()["total"] == 0


def test_heatmap_and_exports(api: TestClient) -> None:
    make_project(api)
    new_risk(api, residual_probability=1, residual_impact=2)
    heat = api.get(f"{BASE}/heatmap").json()
    assert heat["inherent"][2][3] == 1 and heat["residual"][0][1] == 1 and len(heat["cells"]) == 25
    assert api.get(f"{BASE}/heatmap", params={"status": "draft"}).json()["total"] == 0
    csv_out = api.get(f"{BASE}/export", params={"format": "csv"})
    assert csv_out.headers["content-type"].startswith("text/csv")
    assert 'filename="demo-risks-' in csv_out.headers["content-disposition"]
    assert next(csv.DictReader(io.StringIO(csv_out.content.decode("utf-8-sig"))))["id"] == "RSK-0001"
    xlsx = api.get(f"{BASE}/export", params={"format": "xlsx"})
    assert load_workbook(io.BytesIO(xlsx.content))["Risks"].cell(2, 1).value == "RSK-0001"
    assert api.get(f"{BASE}/export", params={"format": "md"}).text.startswith("# Risk register: demo")
    jira = api.get(f"{BASE}/export", params={"format": "jira", "band": "high"}).content.decode()
    assert jira.splitlines()[0].startswith("Summary,Issue Type,Priority") and "[RSK-0001]" in jira
    assert api.get(f"{BASE}/export", params={"format": "pdf"}).status_code == 422


def test_scan_endpoint(api: TestClient, api_container: Container, chat: ScriptedChatModel) -> None:
    make_project(api)
    doc = add_document(
        api_container.sessions,
        "demo",
        "周例会纪要.txt",
        ["PLC 网关延期：交货日期推迟到5月8日，IF-05 联调可能推迟。"],
    )
    chat.enqueue(findings(finding("交货日期推迟到5月8日", "PLC 网关延期", probability=4, impact=4)))
    report = api.post(f"{BASE}/scan", json={"document_id": doc}).json()
    assert (report["drafts_created"], report["llm_calls"], report["created_ids"]) == (1, 1, ["RSK-0001"])
    again = api.post(f"{BASE}/scan").json()  # the whole project: nothing new to read
    assert (again["documents"], again["passages_already_scanned"], again["llm_calls"]) == (1, 1, 0)
    draft = api.get(f"{BASE}/RSK-0001").json()
    assert draft["status"] == "draft" and draft["evidence"][0]["quote"] == "交货日期推迟到5月8日"
    assert api.get(BASE, params={"document_id": doc, "source": "ai"}).json()["total"] == 1
    assert api.post(f"{BASE}/RSK-0001/accept").json()["status"] == "open"
    assert api.post(f"{BASE}/scan", json={"document_id": "doc_missing"}).status_code == 404


def test_the_llm_failing_is_a_clear_http_error(
    api: TestClient, api_container: Container, chat: ScriptedChatModel
) -> None:
    make_project(api)
    doc = add_document(api_container.sessions, "demo", "a.txt", ["接口联调可能延期，厂商尚未确认。"])
    chat.enqueue(TimeoutError("timed out"))
    failed = api.post(f"{BASE}/scan", json={"document_id": doc})
    assert failed.status_code == 503 and "unavailable" in failed.json()["detail"]


def test_webhook_after_a_change_over_http(api: TestClient, hook: Hook, set_risk_settings) -> None:  # type: ignore[no-untyped-def]
    set_risk_settings(
        RiskSettings(scan_screen=False, webhook_url=HOOK_URL, webhook_backoff_s=0.0, webhook_retries=1)
    )
    make_project(api)
    new_risk(api, probability=2, impact=2)
    assert hook.requests == []
    api.patch(f"{BASE}/RSK-0001", json={"version": 1, "probability": 5, "impact": 4})
    (body,) = hook.bodies()
    assert (body["event"], body["previous_band"], body["actor"]) == ("risk.raised", "low", "api")
    hook.replies = [500, 500]
    new_risk(api, title="等保测评冲突", probability=5, impact=5)
    history = api.get(f"{BASE}/RSK-0002").json()["history"]
    assert history[-1]["kind"] == "notification" and "FAILED after 2 attempt(s)" in history[-1]["note"]


def test_every_route_is_documented(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if "/risks" in path
        for method, op in item.items()
    ]
    # Every operation of the risks router is in the schema (a route left out of it would go unseen here).
    assert len(operations) == sum(len(route.methods) for route in risk_routes.router.routes)
    assert len(operations) >= 13
    for path, method, op in operations:
        assert op.get("summary") and op.get("description"), (path, method)
        if method in ("post", "patch") and not path.endswith("/scan"):
            assert "key's owner" in op["description"] and "X-Actor" in op["description"], (path, method)


def test_a_suggestion_from_a_later_document_is_rejected_over_http(
    api: TestClient, api_container: Container, chat: ScriptedChatModel
) -> None:
    from tests.risks.test_follow import _two_documents

    make_project(api)
    # The later document makes the risk less likely: a suggestion (probability 4 -> 3) a person may turn down.
    follow = RiskSettings(
        scan_screen=False,
        scan_min_cue_score=2,
        match_threshold=0.5,
        scan_embed_weight=0,
        follow_threshold=0.3,
        follow_id_bonus=0.3,
    )
    _two_documents(
        api_container.sessions, "demo", api_container.settings, follow,
        {"change": "less_likely"},
    )  # fmt: skip
    risk = api.get(f"{BASE}/RSK-0001").json()
    (pending,) = risk["suggestions"]
    assert (pending["field"], pending["suggested"], pending["state"]) == ("probability", "3", "pending")

    url = f"{BASE}/RSK-0001/suggestions/{pending['id']}/reject"
    after = api.post(url, json={"reason": "不影响"}, headers=actor("王磊"))
    assert after.status_code == 200
    body = after.json()
    assert (body["probability"], body["version"], body["suggestions"][0]["state"]) == (
        4,
        risk["version"],
        "rejected",
    )
    assert any(h["actor"] == "王磊" for h in body["history"])
    assert api.post(url, json={}, headers=actor("王磊")).status_code == 409  # decided already
    assert api.post(f"{BASE}/RSK-0001/suggestions/999999/reject", json={}).status_code == 404
