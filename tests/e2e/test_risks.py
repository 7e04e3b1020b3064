from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from assistant.auth.roles import Role
from assistant.db import transaction
from assistant.risks import repository as risks_repo
from assistant.risks.findings import EvidenceIn, merge_finding
from assistant.risks.schemas import RiskFinding
from assistant.risks.settings import RiskSettings
from tests.e2e.conftest import LiveApp, make_project, new_page, save_screenshot, sign_in, upload_files
from tests.e2e.test_documents_and_ask import KICKOFF

KICKOFF_QUOTE = "接口联调计划于2026年5月11日开始"  # a sentence of the kick-off minutes


def create_risk(client: httpx.Client, pid: str, **fields: object) -> dict:
    body = {
        "title": "ERP 主数据迁移延期",
        "probability": 4,
        "impact": 4,
        "category": "data_migration",
        **fields,
    }
    resp = client.post(f"/projects/{pid}/risks", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_a_stale_edit_shows_the_other_change_and_retries(
    live_app: LiveApp, browser: Browser, page: Page, request: pytest.FixtureRequest
) -> None:
    pid = make_project(live_app, "Conflict check")
    with live_app.api() as client:
        risk = create_risk(client, pid, owner="王磊")
    path = f"/#/p/{pid}/risks/{risk['id']}"
    sign_in(page, live_app, path=path)
    other_context, other, _ = new_page(browser)
    try:
        sign_in(other, live_app, key=live_app.key_for(Role.manager), path=path)
        # Both open the editor on version 1.
        page.get_by_role("button", name="Edit", exact=True).click()
        other.get_by_role("button", name="Edit", exact=True).click()
        other.get_by_role("dialog").get_by_label("Owner", exact=True).fill("李娜")
        other.get_by_role("dialog").get_by_role("button", name="Save").click()
        expect(other.get_by_text("version 2")).to_be_visible()
    finally:
        save_screenshot(other, request, "-other")
        other_context.close()
    page.get_by_role("dialog").get_by_label("Contingency plan").fill("启用旧系统并行运行两周")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Someone else changed this risk")
    expect(conflict).to_contain_text("李娜")  # their change
    expect(conflict).to_contain_text("启用旧系统并行运行两周")  # mine, not saved yet
    save_screenshot(page, request, "-conflict")
    conflict.get_by_role("button", name="Apply my changes to the new version").click()
    expect(page.get_by_text("version 3")).to_be_visible()
    with live_app.api() as client:
        saved = client.get(f"/projects/{pid}/risks/{risk['id']}").json()
    assert saved["owner"] == "李娜" and saved["contingency"] == "启用旧系统并行运行两周"
    assert {h["actor"] for h in saved["history"] if h["kind"] == "changed"} == {"e2e-admin", "e2e-manager"}


def test_lifecycle_buttons_follow_the_allowed_moves(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Lifecycle check")
    with live_app.api() as client:
        risk = create_risk(client, pid)
    sign_in(page, live_app, path=f"/#/p/{pid}/risks/{risk['id']}")
    for move, status in [("Start mitigation", "mitigating"), ("Close", "closed"), ("Reopen", "reopened")]:
        with live_app.api() as client:
            allowed = client.get(f"/projects/{pid}/risks/{risk['id']}").json()["allowed_actions"]
        buttons = page.get_by_role("button", name=re.compile(rf" {risk['id']}$"))
        expect(buttons).to_have_count(len(allowed))
        page.get_by_role("button", name=f"{move} {risk['id']}").click()
        expect(page.locator(".ant-tag").filter(has_text=re.compile(rf"^{status}$"))).to_be_visible()
    with live_app.api() as client:
        history = client.get(f"/projects/{pid}/risks/{risk['id']}").json()["history"]
    assert [h["new_value"] for h in history if h["kind"] == "transition"] == [
        "mitigating",
        "closed",
        "reopened",
    ]


def test_a_heat_map_cell_filters_the_table(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Heat map check")
    with live_app.api() as client:
        high = create_risk(
            client,
            pid,
            title="接口规范未冻结",
            probability=5,
            impact=4,
            residual_probability=2,
            residual_impact=3,
        )
        low = create_risk(
            client, pid, title="Training room booking", probability=1, impact=2, category="other"
        )
    sign_in(page, live_app, path=f"/#/p/{pid}/risks")
    table = page.get_by_test_id("risk-table")
    expect(table.get_by_role("link", name=low["id"])).to_be_visible()
    page.get_by_test_id("cell-inherent-5-4").click()
    expect(page.get_by_test_id("cell-filter")).to_be_visible()
    expect(table.get_by_role("link", name=high["id"])).to_be_visible()
    expect(table.get_by_role("link", name=low["id"])).to_have_count(0)
    # After mitigation the first risk sits at P2 x I3.
    page.get_by_test_id("cell-residual-2-3").click()
    expect(table.get_by_role("link", name=high["id"])).to_be_visible()
    expect(table.get_by_role("link", name=low["id"])).to_have_count(0)
    page.get_by_test_id("cell-residual-2-3").click()  # again: the filter is off
    expect(table.get_by_role("link", name=low["id"])).to_be_visible()


def test_each_export_downloads(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Export check")
    with live_app.api() as client:
        risk = create_risk(client, pid, title="供应商网关交付延迟")
    sign_in(page, live_app, path=f"/#/p/{pid}/risks")
    for fmt, suffix in [("csv", ".csv"), ("xlsx", ".xlsx"), ("md", ".md"), ("jira", ".csv")]:
        page.get_by_role("button", name="Export").hover()
        with page.expect_download() as download:
            page.get_by_test_id(f"export-{fmt}").click()
        got = download.value
        assert got.suggested_filename.endswith(suffix), got.suggested_filename
        content = got.path().read_bytes()
        if fmt == "xlsx":
            assert content[:2] == b"PK"
        else:
            assert risk["id"].encode() in content or "供应商网关交付延迟".encode() in content, content[:300]


def test_a_viewer_sees_no_edit_buttons(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Viewer check")
    with live_app.api() as client:
        risk = create_risk(client, pid)
    sign_in(page, live_app, key=live_app.key_for(Role.viewer), path=f"/#/p/{pid}/risks")
    expect(page.get_by_test_id("role")).to_have_text("viewer")
    expect(page.get_by_role("link", name=risk["id"])).to_be_visible()
    for name in ("New risk", "Export", "Edit", "Accept selected"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    page.get_by_role("link", name=risk["id"]).click()
    expect(page.get_by_role("heading", name=re.compile(risk["id"]))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(rf" {risk['id']}$"))).to_have_count(0)
    page.goto(f"{live_app.url}/#/p/{pid}/documents")
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    expect(page.get_by_test_id("dropzone")).to_have_count(0)


def test_a_suggestion_of_the_assistant_is_rejected(live_app: LiveApp, page: Page) -> None:
    """A later document read differently on a risk a person created: the register records a suggestion (the
    scan's own merge step, fed one finding), which the person turns down on the risk's page."""
    pid = make_project(live_app, "Suggestion check")
    upload_files(live_app, pid, [KICKOFF])
    with live_app.api() as client:
        risk = create_risk(client, pid, probability=2, impact=3)
        document = client.get(f"/projects/{pid}/documents").json()["items"][0]
    found = RiskFinding(
        quote=KICKOFF_QUOTE, title=risk["title"], category="schedule", probability=4, impact=3
    )
    evidence = EvidenceIn(
        document_id=document["id"],
        file_name=document["file_name"],
        chunk_id=None,
        page=None,
        section=None,
        quote=KICKOFF_QUOTE,
    )
    with transaction(live_app.container.sessions) as session:
        row = risks_repo.get_risk(session, project_id=pid, ref=risk["id"])
        outcome = merge_finding(session, risk=row, finding=found, evidence=evidence, settings=RiskSettings())
    assert outcome.suggestions == 1
    sign_in(page, live_app, path=f"/#/p/{pid}/risks/{risk['id']}")
    suggestion = page.get_by_role("row").filter(has_text="suggested by the assistant")
    expect(suggestion).to_contain_text("probability")
    expect(suggestion.get_by_role("button", name="Accept suggestion")).to_be_visible()
    suggestion.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Suggestion rejected", exact=True)).to_be_visible()
    expect(suggestion.get_by_test_id("suggestion-state")).to_have_text("rejected")
    expect(suggestion.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="not taken: 4")).to_contain_text("suggestion rejected")
    with live_app.api() as client:
        after = client.get(f"/projects/{pid}/risks/{risk['id']}").json()
    assert after["probability"] == 2  # rejecting changes nothing
    assert [s["state"] for s in after["suggestions"]] == ["rejected"]
    assert any(
        h["actor"] == "e2e-admin" and "rejected suggestion" in (h["note"] or "") for h in after["history"]
    )
