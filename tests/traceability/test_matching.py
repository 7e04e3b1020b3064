"""The rules that link a requirement to interfaces, 5-Why analyses, priorities and acceptance criteria."""

from __future__ import annotations

import pytest

from assistant.plans import facts
from assistant.plans.facts import Interface
from assistant.requirements.consistency import tokens
from assistant.traceability import matching
from assistant.traceability.schemas import Priority

# A fictional retail integration: POS, ERP, a loyalty platform and an e-commerce shop.
INTERFACES = [
    Interface(id="IF-01", source="POS", target="SAP ERP", protocol="REST"),
    Interface(id="IF-02", source="会员平台(CRM)", target="POS", protocol="MQTT"),
    Interface(id="IF-03", source="ERP", target="Webshop", protocol="SFTP/file"),
    Interface(id="IF-G1", source="ERP", target="BI", protocol="database link"),
]


def named(
    text: str, ids: tuple[str, ...] = ("REQ-1",), tests: list[facts.TestItem] | None = None
) -> list[str]:
    covering = matching.tests_covering(matching.keys(ids), matching.index_tests(tests or []))
    return matching.interfaces_named(text, INTERFACES, covering)


def test_ids_match_however_they_are_written() -> None:
    assert matching.id_key("REQ-007") == matching.id_key("req 7") == matching.id_key("REQ007")
    assert matching.id_key("FR-1.2") != matching.id_key("FR-12")
    assert sorted(["REQ-10", "REQ-2", "FR-1"], key=matching.sort_key) == ["FR-1", "REQ-2", "REQ-10"]
    assert matching.id_key("IF-03") in matching.mentioned_ids("数据经接口if-3回传")
    assert named("Sales data goes through IF-03 every night.") == ["IF-03"]
    assert named("见IF-G1。") == ["IF-G1"]


def test_both_systems_or_one_system_and_the_protocol_name_an_interface() -> None:
    assert named("The POS shall post each sale to the ERP within 2 seconds.") == ["IF-01"]
    assert named("POS 应通过 MQTT 接收会员积分变更。") == ["IF-02"]  # one end and the protocol
    assert named("会员平台应向 POS 推送积分。") == ["IF-02"]  # the name before the brackets
    assert named("The CRM shall push points to the POS.") == ["IF-02"]  # the name in them
    # One system alone, or a protocol alone, names nothing: too many interfaces share them.
    assert named("The ERP shall keep a full audit trail.") == []
    assert named("All messages shall be sent over MQTT.") == []
    # A general word in a protocol ("file", "database link") does not stand for the protocol.
    assert named("The ERP shall write a file of the day's sales.") == []
    assert named("The ERP shall export stock to the BI database.") == ["IF-G1"]  # both ends


def test_a_plan_test_covering_both_links_them() -> None:
    test = facts.TestItem(
        id="T-1", level=facts.TestLevel.integration, title="t", requirements=["req-1"], interfaces=["IF-03"]
    )
    assert named("Nightly stock figures shall be complete.", tests=[test]) == ["IF-03"]
    assert named("Nightly stock figures shall be complete.", ids=("REQ-2",), tests=[test]) == []
    # A UAT lists every interface: it ties none of them to its requirements.
    uat = facts.TestItem(
        id="UAT-01",
        level=facts.TestLevel.uat,
        title="t",
        requirements=["REQ-1"],
        interfaces=["IF-03", "IF-G1"],
    )
    assert named("Nightly stock figures shall be complete.", tests=[uat]) == []
    assert matching.tests_covering(matching.keys(["REQ-001"]), matching.index_tests([test])) == [test]


def test_protocol_and_system_names() -> None:
    assert matching.protocol_words("SOAP/WebService") == {"soap", "webservice"}
    assert matching.protocol_words("HL7 v2.5") == {"hl7"}
    assert matching.protocol_words("SFTP/file") == {"sftp"}
    assert matching.system_aliases("仓储管理系统（WMS）") == {
        "仓储管理系统(WMS)",
        "仓储管理系统",
        "WMS",
    }  # NFKC
    assert "ERP" in matching.system_aliases("SAP ERP") and "SAP ERP" in matching.system_aliases("SAP ERP")
    assert matching.system_aliases("ESB", protocol="ESB") == set()  # a protocol is not a system's name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("REQ-1 The POS shall print receipts. Priority: Low", Priority.low),
        ("FR-3 系统应支持退货。优先级：中", Priority.medium),
        ("US-4 Must have: loyalty points at the till.", Priority.high),
        ("The POS shall print receipts.", Priority.high),
        ("The POS needs to print receipts.", Priority.medium),
        ("The POS should print receipts.", Priority.low),
        ("系统必须支持扫码支付。", Priority.high),
        ("系统可以支持扫码支付。", Priority.low),
        ("Receipts are printed.", None),
    ],
)
def test_priority_as_stated_else_from_the_modal(text: str, expected: Priority | None) -> None:
    assert matching.priority(text) == expected


def test_acceptance_criteria_skip_skeletons() -> None:
    test = facts.TestItem(
        id="T", level=facts.TestLevel.uat, title="t", acceptance="9 of 10 cashiers finish in 3 min"
    )
    skeleton = "Given <precondition / initial state>, when <triggering event>, then the POS prints."
    filled = "Given a paid sale, when it closes, then the POS prints the receipt within 2 s."
    assert matching.acceptance_criteria(matching.keys(["REQ-1"]), "The POS prints.", [skeleton], []) == []
    assert matching.acceptance_criteria(
        matching.keys(["REQ-1"]), "The POS prints.", [skeleton, filled], [test]
    ) == [
        test.acceptance,
        filled,
    ]
    # An acceptance written per requirement gives each requirement its own lines; repeating the statement
    # itself is no criterion.
    per_requirement = facts.TestItem(
        id="IT-IF-01",
        level=facts.TestLevel.integration,
        title="t",
        requirements=["REQ-1", "REQ-2", "req_4f1c2a9e"],
        acceptance="REQ-1: The POS prints.\nREQ-2: Receipts print within 2 s at 95 % of sales.\n"
        "req_4f1c2a9e: Note: cashiers sign off.",
    )
    assert (
        matching.acceptance_criteria(matching.keys(["REQ-1"]), "The POS prints.", [], [per_requirement]) == []
    )
    assert matching.acceptance_criteria(
        matching.keys(["req-2"]), "Receipts print.", [], [per_requirement]
    ) == ["Receipts print within 2 s at 95 % of sales."]
    assert (
        matching.acceptance_criteria(
            matching.keys(["req_4f1c2a9e"]), "Note: cashiers sign off.", [], [per_requirement]
        )
        == []
    )
    # A measurable statement the checker finds nothing wrong with is its own criterion; a vague one is not.
    measured = "The POS shall print the receipt within 2 seconds for 95 % of sales."
    assert matching.acceptance_criteria(matching.keys(["REQ-1"]), measured, [skeleton], []) == [measured]
    assert matching.acceptance_criteria(matching.keys(["REQ-1"]), measured, [], [], ["vague_term"]) == []
    assert (
        matching.acceptance_criteria(matching.keys(["REQ-1"]), "The POS shall print receipts.", [], []) == []
    )


def answers(ids: list[str], requirement: str, need: str, texts: list[str]) -> bool:
    own, words = matching.keys(ids), tokens(requirement)
    return matching.answers_need(own, words, matching.need_texts(need, texts))


def test_a_5_why_analysis_is_answered_by_mention_restatement_or_subject() -> None:
    req = "收银系统应在 3 秒内完成结账，减少顾客排队时间。"
    assert answers(["FR-9"], req, "减少顾客排队时间", [])
    assert answers(["FR-9"], "Loyalty points shall post nightly.", "x", ["See FR-9."])
    assert answers(["FR-9"], req, "提高会员复购", ["收银系统应在 3 秒内完成结账，减少顾客排队。"])
    assert not answers(["FR-9"], req, "提高会员复购率", ["会员积分应实时到账。"])
