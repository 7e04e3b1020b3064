from __future__ import annotations

import numpy as np

from assistant.requirements import RequirementStatement, find_contradictions, find_duplicates
from assistant.requirements.consistency import constraints, normalise


def test_exact_duplicates_ignore_ids_case_and_punctuation() -> None:
    pairs = find_duplicates(
        [
            "REQ-1 The ERP shall export invoices.",
            "REQ-9: the ERP shall export invoices",
            "Users shall log in.",
        ]
    )
    assert [(p.a, p.b, p.method) for p in pairs] == [(0, 1, "exact")]
    assert normalise("REQ-1 系统应导出发票。") == normalise("系统 应 导出 发票")


def test_near_duplicates_by_jaccard_in_both_languages() -> None:
    statements = [
        "MES 应在每道工序完工时生成报工记录，记录应包含订单号和合格数量。",
        "MES 应在每道工序完工时生成报工记录，报工记录须包含订单号、工序号和合格数量。",
        "WMS 应在收货后 2 分钟内通知 ERP。",
        "The CRM shall create a follow-up task for each qualified lead.",
        "For each qualified lead the CRM shall create a follow-up task.",
    ]
    pairs = {(p.a, p.b): p for p in find_duplicates(statements)}
    assert set(pairs) == {(0, 1), (3, 4)}
    assert pairs[(0, 1)].method == "jaccard" and "Jaccard" in pairs[(0, 1)].reason


def test_cosine_duplicates_with_an_embedder() -> None:
    def embed(texts: list[str]) -> np.ndarray:
        # Texts 0 and 1 share a direction; the third is orthogonal.
        table = {0: [1.0, 0.1], 1: [1.0, 0.12], 2: [0.0, 1.0]}
        return np.array([table[i] for i in range(len(texts))], dtype=np.float32)

    pairs = find_duplicates(
        ["The portal shall lock accounts.", "Accounts get locked by the portal.", "x y z"], embed
    )
    assert [(p.a, p.b, p.method) for p in pairs] == [(0, 1, "cosine")]


def test_constraints_are_normalised() -> None:
    (c,) = constraints("响应时间不超过 2 秒")
    assert (c.op, c.value, c.dim) == ("<=", 2.0, "time")
    (c,) = constraints("logs shall be kept for at least 6 months")
    assert (c.op, c.dim) == (">=", "time") and c.value == 6 * 30 * 86400
    (c,) = constraints("every 500 ms")
    assert c.interval and c.value == 0.5


def test_numeric_contradiction_on_the_same_subject() -> None:
    statements = [
        "接口日志应保留不少于 180 天。",
        "接口日志保留 90 天后应自动删除。",
        "The order search page shall respond within 2 seconds.",
        "The order search page shall respond within 5 seconds.",
        "The invoice batch shall finish within 30 minutes.",
    ]
    found = {(c.a, c.b): c for c in find_contradictions(statements)}
    assert set(found) == {(0, 1), (2, 3)}
    assert found[(0, 1)].kind == "numeric" and "180" in found[(0, 1)].reason
    assert "different bounds" in found[(2, 3)].reason


def test_realtime_vs_periodic() -> None:
    statements = [
        RequirementStatement(text="生产订单应实时下发至 MES。", span=(0, 1), language="zh"),
        RequirementStatement(
            text="ERP 与 MES 之间的生产订单同步间隔应为 5 分钟。", span=(2, 3), language="zh"
        ),
        RequirementStatement(text="Stock levels shall be pushed to the ERP in real time.", span=(4, 5)),
        RequirementStatement(text="Stock levels shall be sent to the ERP every 15 minutes.", span=(6, 7)),
    ]
    found = {(c.a, c.b): c.kind for c in find_contradictions(statements)}
    assert found == {(0, 1): "timing", (2, 3): "timing"}


def test_shall_versus_shall_not() -> None:
    statements = [
        "Sales staff shall be able to delete customer records.",
        "Sales staff shall not be able to delete customer records.",
        "MES 应允许班组长修改报工数量。",
        "MES 不得允许班组长修改报工数量。",
        "The portal shall display prices.",
    ]
    found = {(c.a, c.b): c.kind for c in find_contradictions(statements)}
    assert found == {(0, 1): "polarity", (2, 3): "polarity"}


def test_unrelated_statements_do_not_clash() -> None:
    statements = [
        "The MES shall acknowledge each order within 30 seconds.",
        "Production orders shall be sent to the MES every 5 minutes.",
        "系统应在 3 秒内返回查询结果。",
        "备份应每天执行一次，保留 30 天。",
    ]
    assert find_contradictions(statements) == []
