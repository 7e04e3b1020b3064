"""Shape of the EARS skeleton and the Given/When/Then criteria."""

from __future__ import annotations

from assistant.requirements import detect, suggest_rewrite


def rewrite(text: str, language: str) -> tuple[str, list[str]]:
    return suggest_rewrite(text, detect(text, language), language)


def test_ubiquitous_english_keeps_content() -> None:
    ears, criteria = rewrite("The ERP shall send each approved purchase order to the supplier portal.", "en")
    assert ears == "The ERP shall send each approved purchase order to the supplier portal."
    assert criteria == [
        "Given <precondition / initial state>, when <triggering event>, then the ERP sends each approved "
        "purchase order to the supplier portal."
    ]


def test_event_driven_english() -> None:
    ears, criteria = rewrite("When a lead is qualified, the CRM shall create a follow-up task.", "en")
    assert ears == "When a lead is qualified, the CRM shall create a follow-up task."
    assert criteria[0].startswith(
        "Given <precondition / initial state>, when a lead is qualified, then the CRM creates"
    )


def test_trailing_condition_becomes_the_trigger() -> None:
    ears, _ = rewrite("The WMS shall alert the planner when stock falls below 100 pieces.", "en")
    assert ears == "When stock falls below 100 pieces, the WMS shall alert the planner."


def test_vague_words_become_placeholders_and_criteria_ask_for_a_measure() -> None:
    ears, criteria = rewrite("The portal should respond quickly to searches.", "en")
    assert ears == "The portal shall respond <response time, e.g. ≤ 2 s for 95 % of requests> to searches."
    assert "quickly" not in ears
    assert any("95th-percentile" in c for c in criteria)


def test_compound_statement_is_split() -> None:
    ears, criteria = rewrite(
        "The MES shall record each scrap event and shall notify the line supervisor.", "en"
    )
    assert ears.splitlines() == [
        "The MES shall record each scrap event.",
        "The MES shall notify the line supervisor.",
    ]
    assert len(criteria) == 2


def test_compound_with_shared_subject_is_split() -> None:
    ears, _ = rewrite("The ERP shall validate the purchase order and send it to the supplier portal.", "en")
    assert ears.splitlines() == [
        "The ERP shall validate the purchase order.",
        "The ERP shall send it to the supplier portal.",
    ]


def test_passive_gets_an_actor_placeholder() -> None:
    ears, _ = rewrite("Stock levels shall be synchronised periodically.", "en")
    assert ears.startswith(
        "The <system> shall ensure that stock levels are synchronised <interval or deadline"
    )


def test_escape_clause_becomes_an_optional_feature_condition() -> None:
    ears, criteria = rewrite("If possible, the portal should offer a mobile view.", "en")
    assert (
        ears == "Where <condition under which this applies, or delete>, the portal shall offer a mobile view."
    )
    assert criteria[0].startswith("Given <condition under which this applies, or delete>")


def test_negative_requirement() -> None:
    ears, criteria = rewrite("The client shall not store passwords in clear text.", "en")
    assert ears == "The client shall not store passwords in clear text."
    assert criteria[0].endswith("then the client does not store passwords in clear text.")


def test_chinese_event_driven_and_criteria() -> None:
    ears, criteria = rewrite("当采购订单审批通过时，ERP 应将订单推送至供应商门户。", "zh")
    assert ears == "当采购订单审批通过时，ERP 应将订单推送至供应商门户。"
    assert criteria == ["鉴于<前置条件/初始状态>，当采购订单审批通过时，那么ERP 将订单推送至供应商门户。"]


def test_chinese_condition_and_placeholder() -> None:
    ears, criteria = rewrite("若接口调用失败，系统应尽快重试。", "zh")
    assert ears == "若接口调用失败，则系统应<时间间隔或时限, 例如 每 5 分钟 / 10 秒内>重试。"
    assert any(c.startswith("鉴于 <同上>") and "时限" in c for c in criteria)


def test_chinese_state_driven() -> None:
    ears, _ = rewrite("在系统维护期间，平台应拒绝新的登录请求。", "zh")
    assert ears == "在系统维护状态下，平台应拒绝新的登录请求。"


def test_chinese_compound_and_passive() -> None:
    ears, _ = rewrite("系统应校验订单金额，并应将异常订单推送给财务。", "zh")
    assert ears.splitlines() == ["系统应校验订单金额。", "系统应将异常订单推送给财务。"]
    ears, _ = rewrite("客户数据应被定期清理。", "zh")
    assert ears == "<系统>应确保客户数据被<时间间隔或时限, 例如 每 5 分钟 / 10 秒内>清理。"


def test_chinese_weak_modal_is_strengthened_and_open_list_marked() -> None:
    ears, _ = rewrite("系统宜支持请假、出差、报销等审批流程。", "zh")
    assert ears == "系统应支持请假、出差、报销<完整清单>审批流程。"


def test_statement_without_modal_is_wrapped_honestly() -> None:
    ears, _ = rewrite("The portal displays the delivery date.", "en")
    assert ears == "The <system> shall ensure that: The portal displays the delivery date."
