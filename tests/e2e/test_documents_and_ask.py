from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import DEMO_DIR
from tests.e2e.conftest import LiveApp, demo_files, make_project, sign_in, upload_files

KICKOFF = DEMO_DIR / "2026-03-02_项目启动会会议纪要.md"


def test_upload_the_demo_files_and_see_them_indexed(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Upload check")
    files = demo_files()
    sign_in(page, live_app, path=f"/#/p/{pid}/documents")
    page.get_by_test_id("file-input").set_input_files([str(p) for p in files])
    batch = page.get_by_test_id("upload-batch")
    # All finished (an e-mail's attachment is a file of the job too, so there may be more than were chosen).
    expect(batch).to_contain_text(re.compile(r"(\d+) of \1 finished · done"), timeout=120_000)
    # Every file the user chose has its own row, and none failed (the demo files are all readable).
    for path in files:
        row = batch.get_by_test_id("upload-file").filter(has_text=re.compile(rf"^{re.escape(path.name)}\w"))
        expect(row).to_contain_text("indexed")
    table = page.locator(".ant-table-tbody")
    for path in files:
        expect(table.get_by_role("link", name=path.name, exact=True)).to_be_visible()
    expect(table.get_by_text("failed", exact=True)).to_have_count(0)
    # A document opens with its passages, each with its page or section.
    page.get_by_role("link", name=KICKOFF.name, exact=True).click()
    expect(page.get_by_test_id("chunk").first).to_be_visible()
    expect(page.get_by_text("接口联调计划于2026年5月11日开始")).to_be_visible()


def test_ask_streams_an_answer_and_a_citation_opens_its_passage(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Ask check")
    upload_files(live_app, pid, [KICKOFF])
    live_app.chat_model.enqueue({"answer": "接口联调计划于2026年5月11日开始[1]。", "not_found": False})
    sign_in(page, live_app, path=f"/#/p/{pid}/ask")
    page.get_by_label("Your question").fill("接口联调什么时候开始？")
    with page.expect_response(re.compile(r"/ask$")) as response:
        page.get_by_role("button", name="Ask", exact=True).click()
    assert response.value.headers["content-type"].startswith("text/event-stream")
    answer = page.get_by_test_id("answer")
    expect(answer).to_contain_text("2026年5月11日")
    expect(page.get_by_text("1 of 1 citations hold")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Citation \[1\]")).click()
    passage = page.get_by_test_id("passage")
    expect(passage.get_by_test_id("support")).to_have_text("supported")
    expect(passage.locator("mark.quote")).to_contain_text("5月11日")
    passage.get_by_role("link", name="Open the document").click()
    expect(page.get_by_test_id("cited-chunk").locator("mark.quote")).to_contain_text("5月11日")


def test_a_refusal_shows_the_closest_passages(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Refusal check")
    upload_files(live_app, pid, [KICKOFF])
    live_app.chat_model.enqueue({"answer": "", "not_found": True})
    sign_in(page, live_app, path=f"/#/p/{pid}/ask")
    page.get_by_label("Your question").fill("What colour is the CEO's car?")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator(".ant-alert-title", has_text="The documents do not answer this")).to_be_visible()
    expect(page.get_by_test_id("closest-passage").first).to_be_visible()
    page.get_by_test_id("closest-passage").first.click()
    expect(page.get_by_test_id("passage")).to_contain_text(KICKOFF.name)


def test_search_with_a_type_filter(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Search check")
    upload_files(live_app, pid, demo_files())
    sign_in(page, live_app, path=f"/#/p/{pid}/ask")
    page.get_by_role("tab", name="Search").click()
    page.get_by_label("Search words").fill("接口联调")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("search-result").first).to_be_visible()
    unfiltered = page.get_by_test_id("search-result").count()
    page.get_by_label("Document types").click()
    page.get_by_title("e-mail").click()
    page.keyboard.press("Escape")
    with page.expect_response(re.compile(r"/search$")) as response:
        page.get_by_role("button", name="Search").click()
    filtered = response.value.json()["results"]
    assert filtered, "the demo's e-mails mention 接口联调"
    # The page lists this search's passages (not the previous search's, which it cleared), each from an e-mail.
    results = page.get_by_test_id("search-result")
    expect(results).to_have_count(len(filtered))
    for n in range(len(filtered)):
        expect(results.nth(n)).to_contain_text(".eml")
    assert len(filtered) <= unfiltered
