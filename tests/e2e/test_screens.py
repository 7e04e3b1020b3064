"""A tour of every screen in Chinese and English on the demo project; with ASSISTANT_E2E_SCREENSHOTS=DIR the
pictures are written there too (docs/screenshots/ holds the README's: ASSISTANT_E2E_SCREENSHOTS=docs/screenshots)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from assistant.providers.fakes import ScriptedChatModel
from tests.e2e.conftest import (
    OUTPUT,
    LiveApp,
    demo_files,
    draft,
    make_project,
    new_page,
    sign_in,
    upload_files,
)
from tests.e2e.test_analysis import DRAFT

# Read at import: the suite's autouse fixture clears ASSISTANT_* variables before each test runs.
EXTRA_TARGET = os.environ.get("ASSISTANT_E2E_SCREENSHOTS")
SCREENS = {
    "dashboard": "",
    "documents": "/documents",
    "ask": "/ask",
    "risks": "/risks",
    "risk": "/risks/RSK-0001",
    "five-why": "/five-why",
    "requirements": "/requirements",
    "plans": "/plans",
    "plan": "/plans/{plan}",
    "plan-schedule": "/plans/{plan}#plan-schedule",
    "traceability": "/traceability",
}


def test_every_screen_in_both_languages(
    live_app: LiveApp, browser: Browser, plan_model: ScriptedChatModel
) -> None:
    pid = make_project(live_app, "华东精密 ERP+MES+WMS 集成")
    upload_files(live_app, pid, demo_files())
    with live_app.api() as client:
        for title, p, i, owner in [
            ("PLC 网关交付日期未确认，设备数据接口无法联调", 4, 5, "周涛"),
            ("ERP master data cleansing late for migration", 4, 4, "Wu Jing"),
            ("UAT 环境资源不足", 3, 3, "李娜"),
        ]:
            body = {
                "title": title,
                "probability": p,
                "impact": i,
                "owner": owner,
                "residual_probability": 2,
                "residual_impact": 3,
                "category": "schedule",
            }
            assert client.post(f"/projects/{pid}/risks", json=body).status_code == 201
        spec = next(
            d
            for d in client.get(f"/projects/{pid}/documents").json()["items"]
            if d["file_name"].endswith(".docx")
        )
        client.post(f"/projects/{pid}/requirements/check", json={"document_id": spec["id"]})
        live_app.chat_model.enqueue(DRAFT)
        client.post(f"/projects/{pid}/five-why", json={"statement": "希望门店收银更快"})
    plan = draft(live_app, pid, title="华东精密 ERP+MES+WMS 集成实施计划")
    targets = [OUTPUT / "screens"]
    if EXTRA_TARGET:
        targets.append(Path(EXTRA_TARGET))
    for target in targets:
        target.mkdir(parents=True, exist_ok=True)
    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        context, page, console = new_page(browser, locale=locale)
        try:
            sign_in(page, live_app, path=f"/#/p/{pid}")
            for name, path in SCREENS.items():
                path, _, section = path.format(plan=plan["id"]).partition("#")
                page.goto(f"{live_app.url}/#/p/{pid}{path}")
                expect(page.get_by_role("heading", level=2).first).to_be_visible()
                page.wait_for_load_state("networkidle")
                if name == "five-why":
                    page.get_by_role("link", name="希望门店收银更快").first.click()
                    expect(page.get_by_test_id("analysis")).to_be_visible()
                if name == "requirements":
                    expect(page.get_by_test_id("statement").first).to_be_visible()
                if name.startswith("plan-"):
                    # The plan's Gantt chart and the phase table under it, scrolled to.
                    page.locator(f"#{section}").evaluate("e => e.scrollIntoView({block: 'start'})")
                    expect(page.get_by_test_id("gantt-chart")).to_be_attached()
                if name == "traceability":
                    expect(page.locator("tr.trace-gap").first).to_be_visible()
                for target in targets:
                    page.screenshot(path=target / f"{name}.{lang}.png")
            assert not console.problems, console.problems
        finally:
            context.close()
    assert re.match(r"^[\w-]+$", pid)
