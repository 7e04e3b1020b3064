"""Integration plans in the browser: drafting with the fake model, the plan's sections (interface catalogue,
Gantt chart, evidence, the assistant's proposals, conflicts), roles, edits and the 409 path with two people, a
redraft's suggestions, the three downloads, and a refusal when the model is unavailable."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from api.container import Container
from assistant.auth.roles import Role
from assistant.errors import ProviderUnavailableError
from assistant.providers.fakes import ScriptedChatModel
from tests.api.test_plans_api import FILES, WEEKLY
from tests.e2e.conftest import (
    PHONE,
    LiveApp,
    draft,
    make_project,
    new_page,
    save_screenshot,
    sign_in,
    upload_files,
)

DRAFT_TIMEOUT_MS = 60_000
BAR_BLUE = (0x25, 0x63, 0xEB)  # web/src/plans/Gantt.tsx BAR: a phase's bar


def read_plan(app: LiveApp, pid: str, plan_id: str) -> dict:
    with app.api() as client:
        return client.get(f"/projects/{pid}/plans/{plan_id}").json()


def plan_path(pid: str, plan_id: str) -> str:
    return f"/#/p/{pid}/plans/{plan_id}"


def bar_pixels(png: bytes) -> int:
    """Pixels of a phase bar's colour in a screenshot (the chart's canvas, not its accessible label)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - np.array(BAR_BLUE, dtype=np.int16)) <= 12).all(axis=-1).sum())


def test_an_analyst_drafts_a_plan_and_reads_its_sections(
    live_app: LiveApp,
    page: Page,
    plan_model: ScriptedChatModel,
    demo_project: str,
    request: pytest.FixtureRequest,
) -> None:
    pid = demo_project
    with live_app.api() as client:
        body = {"title": "PLC 网关交付延迟", "probability": 4, "impact": 5, "category": "vendor"}
        risk = client.post(f"/projects/{pid}/risks", json=body).json()
    sign_in(page, live_app, key=live_app.key_for(Role.analyst), path=f"/#/p/{pid}/plans")
    page.get_by_label("Title").fill("华东精密集成方案")
    with page.expect_response(re.compile(r"/plans$")) as response:
        page.get_by_role("button", name="Draft the plan").click()
    assert response.value.status == 202
    plan_id = response.value.json()["plan_id"]
    expect(page).to_have_url(re.compile(rf"/plans/{plan_id}$"))
    expect(page.get_by_test_id("plan-status")).to_have_text("ready", timeout=DRAFT_TIMEOUT_MS)
    plan = read_plan(live_app, pid, plan_id)
    expect(page.get_by_test_id("plan-title")).to_have_text("华东精密集成方案")

    # The interface catalogue: every interface of the plan is a row, as the documents name it.
    assert plan["interfaces"], "the demo's specification lists its interfaces"
    catalogue = page.get_by_test_id("plan-interfaces")
    for interface in plan["interfaces"]:
        expect(catalogue.get_by_role("cell", name=interface["id"], exact=True)).to_be_visible()

    # The Gantt chart draws the dated phases (bars on its canvas) and says in words what it draws; phases
    # without both dates are listed under it.
    chart = page.get_by_test_id("gantt-chart")
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas")).to_have_count(1)
    dated = [p for p in plan["phases"] if p["start"] and p["end"]]
    assert dated, "the demo's specification dates its phases"
    described = chart.get_attribute("aria-label") or ""
    for phase in dated:
        assert f"{phase['name']} {phase['start']} – {phase['end']}" in described, described
    assert bar_pixels(chart.screenshot()) > 200
    for phase in plan["phases"]:
        if not (phase["start"] and phase["end"]):
            expect(page.get_by_test_id("undated")).to_contain_text(phase["name"])

    # Evidence opens its passage with the quote marked.
    first = plan["interfaces"][0]["evidence"][0]
    catalogue.get_by_test_id("evidence-link").first.click()
    passage = page.get_by_test_id("passage")
    expect(passage).to_contain_text(first["file_name"])
    expect(passage.locator("mark.quote").first).to_be_visible()
    page.keyboard.press("Escape")

    # What the assistant proposes is marked as its proposal.
    if any(t["proposed"] for t in plan["tests"][:10]):
        expect(page.get_by_test_id("plan-tests").get_by_test_id("proposed").first).to_be_visible()
    procedure = page.get_by_test_id("plan-procedure")
    expect(procedure).to_contain_text(plan["cutover"]["rollback_procedure"])
    expect(procedure.get_by_test_id("proposed")).to_be_visible()

    # Each conflict shows its values with the documents that state them.
    conflicts = page.get_by_test_id("plan-conflict-item")
    expect(conflicts).to_have_count(len(plan["conflicts"]))
    for n, conflict in enumerate(plan["conflicts"]):
        expect(conflicts.nth(n)).to_contain_text(conflict["field"])
        for value in conflict["values"]:
            expect(conflicts.nth(n)).to_contain_text(value["file_name"])
    save_screenshot(page, request, "-plan")

    # The register's live risks are linked; each opens its risk page.
    assert risk["id"] in [r["ref"] for r in plan["risks"]]
    page.get_by_test_id("plan-risk").get_by_role("link", name=risk["id"], exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(risk["id"]))).to_be_visible()
    page.go_back()
    expect(page.get_by_test_id("plan-status")).to_have_text("ready")

    # An analyst may draft again but edits nothing.
    expect(page.get_by_role("button", name="Draft again")).to_be_visible()
    expect(page.get_by_role("button", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Add", exact=True)).to_have_count(0)

    # Each download opens in its program and carries the interface catalogue.
    ids = {i["id"] for i in plan["interfaces"]}
    for fmt in ("docx", "md", "xlsx"):
        page.get_by_role("button", name="Download").hover()
        with page.expect_download() as download:
            page.get_by_test_id(f"plan-export-{fmt}").click()
        got = download.value
        assert got.suggested_filename.endswith(f".{fmt}"), got.suggested_filename
        data = Path(got.path()).read_bytes()
        if fmt == "docx":
            cells = {
                c.text
                for table in DocxDocument(io.BytesIO(data)).tables
                for row in table.rows
                for c in row.cells
            }
            assert ids <= cells, ids - cells
        elif fmt == "xlsx":
            book = load_workbook(io.BytesIO(data), read_only=True)
            values = {
                str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
            }
            assert ids <= values, ids - values
        else:
            text = data.decode("utf-8")
            assert "gantt" in text and all(i in text for i in ids)


def test_a_viewer_reads_a_plan_and_downloads_it_but_edits_nothing(
    live_app: LiveApp, page: Page, plan_model: ScriptedChatModel, demo_project: str
) -> None:
    plan = draft(live_app, demo_project, title="Viewer's plan")
    sign_in(page, live_app, key=live_app.key_for(Role.viewer), path=f"/#/p/{demo_project}/plans")
    expect(page.get_by_role("link", name="Viewer's plan")).to_be_visible()
    expect(page.get_by_role("button", name="Draft the plan")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    page.get_by_role("link", name="Viewer's plan").click()
    expect(
        page.get_by_test_id("plan-interfaces").get_by_role(
            "cell", name=plan["interfaces"][0]["id"], exact=True
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Download")).to_be_visible()
    for name in ("Edit", "Add", "Remove", "Draft again"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)


def test_a_stale_plan_edit_shows_the_other_change_and_retries(
    live_app: LiveApp,
    browser: Browser,
    page: Page,
    plan_model: ScriptedChatModel,
    demo_project: str,
    request: pytest.FixtureRequest,
) -> None:
    plan = draft(live_app, demo_project, title="Two editors")
    interface = plan["interfaces"][0]
    path = plan_path(demo_project, plan["id"])
    sign_in(page, live_app, path=path)
    other_context, other, _ = new_page(browser)
    try:
        sign_in(other, live_app, key=live_app.key_for(Role.manager), path=path)
        # Both open the editor of the same interface on the same version.
        page.get_by_role("button", name=f"Edit {interface['id']}", exact=True).click()
        other.get_by_role("button", name=f"Edit {interface['id']}", exact=True).click()
        other.get_by_role("dialog").get_by_label("Owner", exact=True).fill("赵敏")
        other.get_by_role("dialog").get_by_role("button", name="Save").click()
        expect(other.get_by_test_id("plan-version")).to_contain_text(f"version {plan['version'] + 1}")
        expect(other.get_by_test_id("plan-interfaces")).to_contain_text("赵敏")
    finally:
        save_screenshot(other, request, "-other")
        other_context.close()
    page.get_by_role("dialog").get_by_label("Frequency", exact=True).fill("每 10 分钟")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    conflict = page.get_by_test_id("plan-conflict")
    expect(conflict).to_contain_text("Someone else changed this plan")
    expect(conflict).to_contain_text("赵敏")  # their change
    expect(conflict).to_contain_text("每 10 分钟")  # mine, not saved yet
    expect(conflict).to_contain_text("e2e-manager")  # who changed it
    save_screenshot(page, request, "-conflict")
    conflict.get_by_role("button", name="Apply my changes to the new version").click()
    expect(page.get_by_test_id("plan-version")).to_contain_text(f"version {plan['version'] + 2}")
    saved = read_plan(live_app, demo_project, plan["id"])
    edited = next(i for i in saved["interfaces"] if i["id"] == interface["id"])
    assert edited["owner"] == "赵敏" and edited["frequency"] == "每 10 分钟"
    assert edited["evidence"] == interface["evidence"]  # the documents' quotes stay with the item
    changes = [h for h in saved["history"] if h["kind"] == "changed"]
    assert [h["actor"] for h in changes] == ["e2e-manager", "e2e-admin"]
    assert "interfaces" in saved["person_fields"]


def test_an_item_added_by_hand_and_a_redraft_whose_suggestion_is_rejected(
    live_app: LiveApp,
    page: Page,
    plan_model: ScriptedChatModel,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    pid = make_project(live_app, "Redraft check")
    for name, text in {**FILES, "2026-05-06_周例会纪要.md": WEEKLY}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert upload_files(live_app, pid, [tmp_path / name for name in FILES])["status"] == "done"
    plan = draft(live_app, pid)
    sign_in(page, live_app, path=plan_path(pid, plan["id"]))

    # A person adds an interface the documents do not state: it is theirs, with no evidence and no proposal mark.
    page.get_by_test_id("plan-interfaces-add").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Interface", exact=True).fill("IF-09")
    dialog.get_by_label("Source", exact=True).fill("WMS")
    dialog.get_by_label("Target", exact=True).fill("BI")
    dialog.get_by_label("Protocol", exact=True).fill("SFTP")
    dialog.get_by_role("button", name="Save").click()
    row = page.get_by_test_id("plan-interfaces").get_by_role("row").filter(has_text="IF-09")
    expect(row).to_contain_text("SFTP")
    expect(row.get_by_test_id("proposed")).to_have_count(0)

    # New minutes change IF-01; the redraft keeps the person's catalogue and suggests the change instead.
    assert upload_files(live_app, pid, [tmp_path / "2026-05-06_周例会纪要.md"])["status"] == "done"
    page.get_by_role("button", name="Draft again").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("ready", timeout=DRAFT_TIMEOUT_MS)
    after = read_plan(live_app, pid, plan["id"])
    pending = [s for s in after["suggestions"] if s["status"] == "pending"]
    assert any(s["item_key"] == "IF-01" for s in pending), after["suggestions"]
    expect(
        page.get_by_test_id("plan-interfaces").get_by_role("cell", name="IF-09", exact=True)
    ).to_be_visible()
    suggestions = page.get_by_test_id("plan-suggestions")
    expect(suggestions.get_by_role("button", name=re.compile(r"^Reject "))).to_have_count(len(pending))
    save_screenshot(page, request, "-suggestions")
    suggestions.get_by_role("button", name="Reject IF-01").click()
    expect(suggestions.get_by_role("row").filter(has_text="IF-01")).to_contain_text("rejected · e2e-admin")
    decided = read_plan(live_app, pid, plan["id"])
    assert {s["item_key"]: s["status"] for s in decided["suggestions"]}["IF-01"] == "rejected"
    before = {i["id"]: i for i in after["interfaces"]}["IF-01"]
    assert {i["id"]: i for i in decided["interfaces"]}["IF-01"] == before  # rejecting changes nothing


def test_a_draft_while_the_model_is_unavailable_is_refused_in_words(
    live_app: LiveApp, page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = make_project(live_app, "Model down check")

    def unavailable(_: Container) -> object:
        raise ProviderUnavailableError("the language model is unavailable: its file is missing")

    monkeypatch.setattr(Container, "chat_model", property(unavailable))
    sign_in(page, live_app, path=f"/#/p/{pid}/plans")
    page.get_by_role("button", name="Draft the plan").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The model or a store is unavailable")
    expect(alert).to_contain_text("its file is missing")
    with live_app.api() as client:
        assert client.get(f"/projects/{pid}/plans").json()["total"] == 0


def test_a_plan_and_the_matrix_read_on_a_phone_in_chinese(
    live_app: LiveApp,
    browser: Browser,
    plan_model: ScriptedChatModel,
    demo_project: str,
    request: pytest.FixtureRequest,
) -> None:
    plan = draft(live_app, demo_project, title="手机上的计划")
    context, phone, console = new_page(browser, locale="zh-CN", viewport=PHONE)
    try:
        sign_in(phone, live_app, key=live_app.key_for(Role.viewer), path=plan_path(demo_project, plan["id"]))
        expect(phone.get_by_test_id("plan-title")).to_have_text("手机上的计划")
        expect(phone.get_by_text("接口清单", exact=False).first).to_be_visible()
        expect(phone.get_by_test_id("gantt-chart")).to_be_attached()
        # Wide tables scroll inside their card; the page itself does not scroll sideways.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        save_screenshot(phone, request, "-plan")
        phone.goto(f"{live_app.url}/#/p/{demo_project}/traceability")
        expect(phone.get_by_role("heading", name="需求跟踪矩阵")).to_be_visible()
        expect(phone.locator("tr.trace-gap").first).to_be_attached()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        save_screenshot(phone, request, "-matrix")
        assert not console.problems, console.problems
    finally:
        context.close()


def test_the_page_follows_a_draft_until_it_is_ready(
    live_app: LiveApp,
    page: Page,
    plan_model: ScriptedChatModel,
    demo_project: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The model answers only when the test lets it: meanwhile the plan is drafting.
    gate = threading.Event()
    answer = ScriptedChatModel._next_reply

    def held(self: ScriptedChatModel, messages: list, kwargs: dict) -> str:
        assert gate.wait(60), "the test never let the model answer"
        return answer(self, messages, kwargs)

    monkeypatch.setattr(ScriptedChatModel, "_next_reply", held)
    sign_in(page, live_app, path=f"/#/p/{demo_project}/plans")
    page.get_by_label("Title").fill("Followed while it drafts")
    page.get_by_role("button", name="Draft the plan").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("drafting")
    drafting = page.get_by_test_id("drafting")
    expect(drafting).to_contain_text("The assistant is drafting this plan")
    expect(drafting).to_contain_text(re.compile(r"Job (queued|running), \d+ s so far"))
    gate.set()
    # No reload: the page reads the plan again until the draft is done.
    expect(page.get_by_test_id("plan-status")).to_have_text("ready", timeout=DRAFT_TIMEOUT_MS)
    expect(drafting).to_have_count(0)
    expect(page.get_by_test_id("plan-interfaces").get_by_role("row")).not_to_have_count(0)
    # The chart's tooltip shows the phase under the pointer (and the strict CSP lets it).
    chart = page.get_by_test_id("gantt-chart")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    tooltip = chart.locator("div").filter(has_text=re.compile(r"^[^<]+: 2026-\d\d-\d\d"))
    shown = False
    for row in range(1, 8):
        for step in range(2, 40, 2):
            page.mouse.move(box["x"] + box["width"] * step / 40, box["y"] + box["height"] * row / 8)
            if tooltip.count() and tooltip.first.is_visible():
                shown = True
                break
        if shown:
            break
    assert shown, "no tooltip over the chart's bars and diamonds"
