from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, LiveApp, make_project, new_page, save_screenshot, sign_in, upload_files

MINUTES = "# 门店运营会议纪要\n\n陈晓峰表示，高峰时段顾客平均排队超过8分钟，部分顾客放弃购买。\n\n门店收银每单平均耗时90秒，其中会员查询占40秒。\n"
DRAFT = {
    "whys": [
        {"question": "为什么希望收银更快？", "answer": "高峰时段顾客平均排队超过8分钟。", "passage": 1},
        {"question": "为什么排队这么久？", "answer": "每单收银平均耗时90秒，会员查询占40秒。", "passage": 1},
        {
            "question": "为什么会员查询慢？",
            "answer": "会员数据存放在总部系统，门店要远程查询。",
            "passage": None,
        },
    ],
    "stop_reason": "已到达业务目标：减少顾客排队时间。",
    "root_need": "减少高峰时段顾客排队时间，避免顾客流失。",
    "requirements": [
        {
            "statement": "当收银员扫描会员码时，收银系统应在 2 秒内返回会员信息。",
            "acceptance_criteria": ["鉴于高峰时段，当扫描会员码，那么 95% 的查询在 2 秒内返回"],
        }
    ],
    "solutions": ["门店缓存会员数据", "自助收银"],
    "open_questions": ["高峰时段的目标排队时间是多少？"],
}


def test_five_why_streams_its_rounds_and_lists_the_analysis(live_app: LiveApp, page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pid = make_project(live_app, "5-Why check")
    notes = tmp_path / "门店运营会议纪要.md"
    notes.write_text(MINUTES, encoding="utf-8")
    upload_files(live_app, pid, [notes])
    live_app.chat_model.enqueue(DRAFT)
    sign_in(page, live_app, path=f"/#/p/{pid}/five-why")
    page.get_by_label("The stated request").fill("希望门店收银更快")
    with page.expect_response(re.compile(r"/five-why$")) as response:
        page.get_by_role("button", name="Analyse").click()
    assert response.value.headers["content-type"].startswith("text/event-stream")
    analysis = page.get_by_test_id("analysis")
    expect(analysis.get_by_test_id("root-need")).to_contain_text("减少高峰时段顾客排队时间")
    whys = analysis.get_by_test_id("why")
    expect(whys).to_have_count(len(DRAFT["whys"]))
    expect(whys.nth(0)).to_contain_text("cited")
    expect(whys.nth(2)).to_contain_text("assumption")
    expect(analysis).to_contain_text("门店缓存会员数据")
    expect(page.get_by_role("link", name="希望门店收银更快")).to_be_visible()  # in the earlier analyses
    # A cited "because" opens its passage.
    analysis.get_by_role("button", name=re.compile("门店运营会议纪要")).first.click()
    expect(page.get_by_test_id("passage").locator("mark.quote")).to_contain_text("8分钟")


def test_check_pasted_requirements(live_app: LiveApp, page: Page) -> None:
    pid = make_project(live_app, "Requirements check")
    vague = "系统应尽快响应用户的查询请求。"
    text = "\n".join([vague, "The system shall export the register as CSV within 5 seconds.", vague])
    sign_in(page, live_app, path=f"/#/p/{pid}/requirements")
    page.get_by_role("tab", name="Check text").click()
    page.get_by_label("Requirement statements").fill(text)
    with page.expect_response(re.compile(r"/requirements/check$")) as response:
        page.get_by_role("button", name="Check", exact=True).click()
    report = response.value.json()
    statements = page.get_by_test_id("statement")
    expect(statements).to_have_count(len(report["requirements"]))
    # The words that triggered each finding are marked in the statement.
    flagged = next(r for r in report["requirements"] if r["findings"])
    word = flagged["findings"][0]["words"][0]
    expect(page.locator("mark.trigger", has_text=word).first).to_be_visible()
    expect(page.get_by_test_id("average")).to_contain_text(str(report["average_score"]))
    expect(page.get_by_test_id("duplicates")).not_to_contain_text("No duplicates found.")


def test_phone_and_chinese(live_app: LiveApp, browser: Browser, request) -> None:  # type: ignore[no-untyped-def]
    pid = make_project(live_app, "手机查看")
    context, phone, console = new_page(browser, locale="zh-CN", viewport=PHONE)
    try:
        sign_in(phone, live_app, path=f"/#/p/{pid}")
        expect(phone.get_by_role("heading", name=re.compile("概览"))).to_be_visible()
        # Nothing wider than the screen: the page does not scroll sideways.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.goto(f"{live_app.url}/#/p/{pid}/risks")
        expect(phone.get_by_role("heading", name="风险登记册")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        save_screenshot(phone, request)
        # The language follows the browser until the user switches.
        phone.get_by_text("EN", exact=True).click()
        expect(phone.get_by_role("heading", name="Risk register")).to_be_visible()
        assert not console.problems, console.problems
    finally:
        context.close()
