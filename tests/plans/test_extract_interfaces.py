"""The interface catalogue on projects of other industries: tables, prose-only interfaces, ids as written."""

from __future__ import annotations

import datetime as dt

from assistant.plans.extract import extract_facts
from assistant.plans.facts import Interface, PlanFacts
from tests.plans.extract_fixtures import (
    HOSPITAL_MEETING,
    HOSPITAL_SPEC,
    LOGISTICS_MAIL,
    LOGISTICS_MEETING,
    LOGISTICS_SPEC,
    chunks_of,
)


def by_id(facts: PlanFacts) -> dict[str, Interface]:
    return {i.id: i for i in facts.interfaces}


def test_hospital_interface_table_and_an_interface_only_a_meeting_names() -> None:
    facts = extract_facts(HOSPITAL_SPEC + HOSPITAL_MEETING)
    items = by_id(facts)
    # The table's four rows, with the row that continues in the next chunk (IF-H03, empty owner cell).
    assert {"IF-H01", "IF-H02", "IF-H03", "IF-H04"} <= set(items)
    assert (items["IF-H01"].source, items["IF-H01"].target, items["IF-H01"].protocol) == (
        "HIS",
        "LIS",
        "HL7 v2",
    )
    assert items["IF-H03"].protocol == "DICOM" and items["IF-H03"].owner is None
    assert items["IF-H04"].protocol == "FHIR" and items["IF-H04"].owner == "钱峰"
    # The meeting's FHIR push to the regional platform is in no table: it gets a generated id.
    generated = [i for i in facts.interfaces if i.id.startswith("IF-G")]
    assert len(generated) == 1
    assert (generated[0].source, generated[0].target, generated[0].protocol) == (
        "LIS",
        "区域健康平台",
        "FHIR",
    )
    assert generated[0].evidence[0].file_name == "2026-05-20_接口评审会纪要.md"
    # Requirement ids, action items and phone numbers are not interfaces.
    assert len(facts.interfaces) == 5
    questions = {q.about: q.question for q in facts.open_questions}
    assert "owner" in questions["IF-H03"] and "IF-H01" not in questions


def test_logistics_table_prose_and_a_later_mail_that_changes_a_protocol() -> None:
    facts = extract_facts(LOGISTICS_SPEC + LOGISTICS_MEETING + LOGISTICS_MAIL)
    items = by_id(facts)
    assert items["INT-1"].frequency == "Every 10 min" and items["INT-1"].owner == "Priya Shah"
    assert items["INT-2"].protocol == "SFTP"
    # The mail (later) says INT-3 now uses REST instead of SOAP: REST wins and the conflict lists both.
    assert items["INT-3"].protocol == "REST"
    conflict = next(c for c in facts.conflicts if c.field == "interface INT-3 protocol")
    assert [v.value for v in conflict.values] == ["SOAP", "REST"] and conflict.chosen == "REST"
    assert conflict.values[1].file_name == "2026-03-20_RE_schedule.eml"
    # The steering minutes' MQTT feed to the YMS is an interface no table lists.
    mqtt = [i for i in facts.interfaces if i.protocol == "MQTT"]
    assert [(i.id, i.source, i.target, i.direction) for i in mqtt] == [("IF-G1", "TMS", "YMS", "TMS->YMS")]
    assert len(facts.interfaces) == 4


def test_a_table_row_and_prose_about_one_interface_merge_with_both_quotes() -> None:
    spec = chunks_of(
        "spec.md",
        dt.date(2026, 1, 5),
        "| 接口编号 | 源系统 | 目标系统 | 协议 |\n|---|---|---|---|\n| 接口-03 | CRM | ERP | Kafka |",
    )
    minutes = chunks_of(
        "minutes.txt", dt.date(2026, 1, 9), "会议确认：CRM 通过 Kafka 向 ERP 推送客户主数据变更。"
    )
    facts = extract_facts(spec + minutes)
    assert [i.id for i in facts.interfaces] == ["接口-03"]
    files = {e.file_name for e in facts.interfaces[0].evidence}
    assert files == {"spec.md", "minutes.txt"}


def test_a_project_without_interfaces_gets_an_empty_catalogue_and_says_so() -> None:
    notes = chunks_of(
        "notes.txt",
        dt.date(2026, 2, 1),
        "门店收银需要更快。REQ-POS-001 收银员应在 3 秒内完成扫码。行动项 A-01 由王芳负责，版本 v2.1。",
    )
    facts = extract_facts(notes)
    assert facts.interfaces == []
    assert any(q.about == "interfaces" for q in facts.open_questions)


def test_requirement_and_interface_requirement_ids_are_not_interfaces() -> None:
    spec = chunks_of(
        "spec-en.txt",
        dt.date(2026, 2, 1),
        "REQ-INT-008 IF-01 shall call POST /api/v3/orders.\nIR-002 Orders shall be synchronised every 5 minutes.\n"
        "FR-012 The WMS shall notify the planner.",
        language="en",
    )
    assert [i.id for i in extract_facts(spec).interfaces] == ["IF-01"]


def test_quoted_mail_text_does_not_win_over_the_mail() -> None:
    spec = chunks_of("spec.txt", dt.date(2026, 1, 1), "IF-09 | OMS | WMS | REST | Orders | Event")
    mail = chunks_of(
        "re.eml",
        dt.date(2026, 2, 1),
        "From: A <a@x.example>\nDate: Sun, 01 Feb 2026 10:00:00 +0000\nSubject: RE: IF-09\n\n"
        "Agreed: IF-09 (OMS -> WMS) uses AMQP from now on.\n\n-----Original Message-----\n"
        "From: B <b@x.example>\nSent: 31 January 2026 09:00\n\nProposal: IF-09 (OMS -> WMS) uses SOAP.",
    )
    facts = extract_facts(spec + mail)
    assert facts.interfaces[0].protocol == "AMQP"
    conflict = next(c for c in facts.conflicts if c.field.endswith("protocol"))
    assert [v.value for v in conflict.values] == ["REST", "AMQP"]  # the quoted SOAP is not the mail's value
