"""Extraction on a small mixed Chinese/English specification, meeting notes and e-mail text."""

from __future__ import annotations

from assistant.requirements import extract_requirements
from assistant.requirements.extract import collapse_ws, split_sentences

SPEC = """# 3 功能需求
REQ-ERP-001 ERP 应在采购订单审批通过后 5 分钟内将订单推送至 SRM。
REQ-ERP-002：系统应支持按供应商导出对账单。
FR-12 The CRM shall create a follow-up task when a lead is qualified.
NFR 3.2 The portal must answer 95% of searches within 2 seconds.
SR_4 Passwords shall be stored as salted hashes.
[R12] The OA system shall archive approved contracts for 10 years.
3.2.1 The WMS shall print a pick list for each wave.

本章描述系统背景。ERP 已运行 9 年，现有流程依赖人工导出。

| 编号 | 需求描述 | 优先级 |
|---|---|---|
| REQ-MES-010 | MES 应每班次计算一次设备 OEE。 | 高 |
| IF-03 | WMS | ERP | 库存余额 | 每日 23:00 |

The system shall support the following:
- export of invoices to PDF
- export of invoices to Excel

We will meet again on Friday to review the draft.
"""


def by_id(text: str) -> dict[str | None, str]:
    return {s.id: s.text for s in extract_requirements(text)}


def test_ids_are_kept() -> None:
    found = by_id(SPEC)
    for ident in (
        "REQ-ERP-001",
        "REQ-ERP-002",
        "FR-12",
        "NFR 3.2",
        "SR_4",
        "R12",
        "3.2.1",
        "REQ-MES-010",
        "IF-03",
    ):
        assert ident in found, ident
    assert found["REQ-ERP-002"] == "系统应支持按供应商导出对账单。"
    assert found["FR-12"].startswith("The CRM shall create")


def test_spans_point_into_the_input() -> None:
    for s in extract_requirements(SPEC):
        a, b = s.span
        assert collapse_ws(SPEC[a:b]) == s.text
        assert not SPEC[a:b].startswith((" ", "REQ", "FR-", "|"))


def test_prose_without_obligation_and_plans_are_skipped() -> None:
    texts = [s.text for s in extract_requirements(SPEC)]
    assert not any("本章描述" in t or "已运行" in t for t in texts)
    assert not any("meet again" in t for t in texts)
    assert not any(t.startswith("编号") for t in texts)


def test_list_items_inherit_the_lead_in() -> None:
    items = [s for s in extract_requirements(SPEC) if s.origin == "list_item" and s.id is None]
    assert [s.text for s in items] == ["export of invoices to PDF", "export of invoices to Excel"]
    assert all(s.context == "The system shall support the following:" for s in items)


def test_table_rows_keep_the_requirement_cell() -> None:
    rows = {s.id: s for s in extract_requirements(SPEC) if s.origin == "table_row"}
    assert rows["REQ-MES-010"].text == "MES 应每班次计算一次设备 OEE。"
    assert rows["IF-03"].text.startswith("WMS | ERP")


def test_language_per_statement_and_source_is_attached() -> None:
    found = extract_requirements(SPEC, source={"doc": "spec.md"})
    langs = {s.id: s.language for s in found}
    assert langs["REQ-ERP-001"] == "zh" and langs["FR-12"] == "en"
    assert all(s.source == {"doc": "spec.md"} for s in found)


def test_sentence_splitting_is_language_aware() -> None:
    en = "Use TLS v1.2 e.g. for the API. The ERP shall log 3.5 million rows. It shall not fail."
    parts = [en[a:b] for a, b in split_sentences(en)]
    assert parts == [
        "Use TLS v1.2 e.g. for the API.",
        "The ERP shall log 3.5 million rows.",
        "It shall not fail.",
    ]
    zh = "系统应记录日志。接口应加密；平台应可用！是否需要审批？"
    assert [zh[a:b] for a, b in split_sentences(zh)] == [
        "系统应记录日志。",
        "接口应加密；",
        "平台应可用！",
        "是否需要审批？",
    ]
    # A word that merely ends like an abbreviation ("p." for page) still ends its sentence.
    erp = "Data moves to the new ERP. See p. 4 for details. The load runs at night."
    assert [erp[a:b] for a, b in split_sentences(erp)] == [
        "Data moves to the new ERP.",
        "See p. 4 for details.",
        "The load runs at night.",
    ]


def test_prose_sentences_need_a_subject() -> None:
    notes = (
        "会议纪要：张三需要在周五前提交方案。系统需要支持单点登录。大家应该尽快确认需求。\n"
        "Minutes: John will send the slides. The portal will lock an account after 5 failed logins. "
        "It must be noted that the budget is fixed. Should the app support offline mode?\n"
    )
    texts = [s.text for s in extract_requirements(notes)]
    assert "系统需要支持单点登录。" in texts
    assert "The portal will lock an account after 5 failed logins." in texts
    assert not any("张三" in t or "大家" in t or "John" in t or "noted" in t or "offline" in t for t in texts)


def test_wrapped_lines_are_joined_but_chinese_line_breaks_end_sentences() -> None:
    text = (
        "The Basic SW shall establish the connection with all peripherals during the initialisation of the\n"
        "system and maintain it during normal operation of the trainborne equipment.\n"
        "系统应记录日志\n"
        "平台应支持导出\n"
    )
    texts = [s.text for s in extract_requirements(text)]
    assert texts[0].endswith("during normal operation of the trainborne equipment.")
    assert "系统应记录日志" in texts and "平台应支持导出" in texts


def test_mention_of_a_modal_is_not_an_obligation() -> None:
    text = "Requirements use the keywords shall and must for mandatory obligations."
    assert extract_requirements(text) == []


def test_email_with_action_items_keeps_only_system_obligations() -> None:
    mail = (
        "From: Li Na <li.na@example.com>\nSubject: 接口联调\n\n王工，你好：\n"
        "请你们在周三前回复。\n接口平台必须在 5 月 18 日前开通测试环境。\n谢谢！\n"
    )
    texts = [s.text for s in extract_requirements(mail)]
    assert texts == ["接口平台必须在 5 月 18 日前开通测试环境。"]


def test_chinese_numbered_items_under_a_requirement_lead_in() -> None:
    text = "系统功能需求如下：\n1. 支持按批次号追溯物料\n（2）支持导出盘点差异表\n② 审批人可以在移动端审批\n"
    found = extract_requirements(text)
    assert [s.text for s in found] == ["支持按批次号追溯物料", "支持导出盘点差异表", "审批人可以在移动端审批"]
    assert all(s.context == "系统功能需求如下：" and s.language == "zh" for s in found)


def test_headings_and_empty_text_give_nothing() -> None:
    assert extract_requirements("") == []
    assert extract_requirements("3.2.1 Functional data flows\n## 4 接口需求\n") == []
