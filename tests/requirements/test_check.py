"""The single entry points: check_text on a document, check_statement on one statement."""

from __future__ import annotations

from assistant.requirements import CheckedRequirement, check_statement, check_text

DOC = """需求清单
REQ-001 系统应尽快响应计划员的查询请求。
REQ-002 在 200 个并发用户下，订单查询响应时间的第 95 百分位应不超过 2 秒。
FR-3 The portal should be user-friendly and fast.
The system shall support the following:
- export of invoices to PDF
"""


def test_check_text_runs_the_whole_pipeline() -> None:
    results = check_text(DOC)
    by_id = {r.id: r for r in results}
    assert set(by_id) >= {"REQ-001", "REQ-002", "FR-3"}
    slow = by_id["REQ-001"]
    assert slow.language == "zh" and slow.score < 100
    assert [f.rule for f in slow.findings] == ["vague_timing"]
    assert "<时间间隔或时限" in slow.rewrite and slow.acceptance_criteria
    good = by_id["REQ-002"]
    assert good.findings == [] and good.score == 100
    assert (good.kind, good.quality_class) == ("non_functional", "performance")
    vague = by_id["FR-3"]
    assert {f.rule for f in vague.findings} == {"weak_modal", "vague_term"}
    for r in results:
        assert r.span is not None
        assert " ".join(DOC[r.span[0] : r.span[1]].split()) == r.text


def test_list_item_inherits_the_modal_of_its_lead_in() -> None:
    item = next(r for r in check_text(DOC) if r.text == "export of invoices to PDF")
    assert all(f.rule not in ("missing_modal", "weak_modal") for f in item.findings)


def test_language_can_be_forced() -> None:
    results = check_text("REQ-1 The ERP shall export invoices soon.", language="en")
    assert results[0].language == "en"
    assert results[0].findings[0].message.startswith("Vague timing")


def test_check_statement_returns_a_checked_requirement() -> None:
    r = check_statement("系统应采用 Kafka 并且应支持高并发。")
    assert isinstance(r, CheckedRequirement)
    assert {f.rule for f in r.findings} >= {"design_prescribed", "compound", "missing_unit"}
    assert len(r.rewrite.splitlines()) == 2
    assert r.model_dump()["findings"][0]["rule"]
