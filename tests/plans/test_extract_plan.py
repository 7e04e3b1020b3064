"""Phases, milestones, gray release, rollback, training and hand-over on projects of other industries; every
item's evidence is a verbatim slice of its chunk; a later document wins and the conflict is listed."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.plans.extract import extract_facts
from assistant.plans.facts import PlanFacts, SourceChunk
from bench.plans import evidence_of
from tests.plans.extract_fixtures import (
    HOSPITAL_MEETING,
    HOSPITAL_SPEC,
    LOGISTICS_MAIL,
    LOGISTICS_MEETING,
    LOGISTICS_SPEC,
    chunks_of,
)

D = dt.date
PROJECTS = {
    "hospital": HOSPITAL_SPEC + HOSPITAL_MEETING,
    "logistics": LOGISTICS_SPEC + LOGISTICS_MEETING + LOGISTICS_MAIL,
}


def milestones(facts: PlanFacts) -> dict[str, dt.date | None]:
    return {m.name: m.date for p in facts.phases for m in p.milestones} | {
        m.name: m.date for m in facts.milestones
    }


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_quote_is_verbatim_in_its_chunk(name: str) -> None:
    chunks: list[SourceChunk] = PROJECTS[name]
    facts = extract_facts(chunks)
    texts = {c.chunk_id: c.text for c in chunks}
    quotes = evidence_of(facts)
    assert len(quotes) > 10
    for ev in quotes:
        assert ev.chunk_id is not None and ev.quote and ev.quote in texts[ev.chunk_id], ev.quote
    for conflict in facts.conflicts:
        for value in conflict.values:
            assert any(value.quote in c.text for c in chunks if c.document_id == value.document_id)


def test_hospital_phases_a_moved_start_and_the_gray_release() -> None:
    facts = extract_facts(PROJECTS["hospital"])
    phases = {p.name: (p.start, p.end) for p in facts.phases}
    assert phases["需求调研"] == (D(2026, 5, 11), D(2026, 6, 5))
    # The review meeting (later) moved the joint test start; its end is unchanged.
    assert phases["联调测试"] == (D(2026, 8, 24), D(2026, 9, 18))
    conflict = next(c for c in facts.conflicts if c.field == "phase 联调测试 start")
    assert [v.value for v in conflict.values] == ["2026-08-17", "2026-08-24"]
    assert next(p for p in facts.phases if p.name == "需求调研").deliverables == ["需求规格说明书"]
    stages = facts.cutover.stages
    assert [(s.scope, s.date) for s in stages] == [
        ("门诊检验科", D(2026, 9, 21)),
        ("其余科室", D(2026, 10, 19)),
    ]
    assert stages[0].observation_period == "观察期 5 个工作日"


def test_hospital_rollback_trigger_procedure_training_and_handover() -> None:
    facts = extract_facts(PROJECTS["hospital"])
    [trigger] = facts.cutover.rollback_triggers
    assert trigger.threshold == "超过 1% 并持续 30 分钟"
    assert trigger.action is not None and "回滚至原有手工流程" in trigger.action
    assert facts.cutover.rollback_time_limit == "2 小时"
    assert facts.cutover.rollback_procedure is not None and facts.cutover.rollback_procedure.startswith(
        "回滚方案"
    )
    assert [(t.audience, t.date) for t in facts.training] == [("护士", D(2026, 9, 14))]
    assert {h.document for h in facts.handover} >= {"运维手册", "接口文档"}
    assert not any(q.about == "rollback" for q in facts.open_questions)


def test_logistics_dates_a_later_mail_moves_and_its_quoted_proposal_does_not() -> None:
    facts = extract_facts(PROJECTS["logistics"])
    dates = milestones(facts)
    uat = [d for name, d in dates.items() if "UAT" in name]
    assert uat == [D(2026, 6, 1)]  # not the steering minutes' 25 May, not the quoted proposal's 8 June
    conflict = next(c for c in facts.conflicts if c.field.startswith("milestone UAT"))
    assert [(v.value, v.file_name) for v in conflict.values] == [
        ("2026-05-25", "2026-03-02_steering-minutes.md"),
        ("2026-06-01", "2026-03-20_RE_schedule.eml"),
    ]
    stages = facts.cutover.stages
    assert [s.date for s in stages] == [D(2026, 6, 22), D(2026, 7, 20)]
    assert stages[0].scope == "the Leeds depot"
    [trigger] = facts.cutover.rollback_triggers
    assert trigger.threshold == "exceeds 2% for 30 minutes"
    assert facts.cutover.rollback_time_limit == "4 hours"
    assert [(t.audience, t.date) for t in facts.training] == [("key users", D(2026, 6, 15))]


def test_what_the_documents_leave_open_becomes_a_question_not_an_answer() -> None:
    notes = chunks_of(
        "kickoff.txt",
        D(2026, 4, 1),
        "项目阶段：需求调研（2026年4月6日至4月30日）。UAT 时间待定。上线后如出现问题将回滚。",
    )
    facts = extract_facts(notes)
    questions = [q.question for q in facts.open_questions]
    assert any("UAT" in q and "no date" in q for q in questions)
    assert facts.cutover.rollback_triggers == [] or all(
        t.threshold is None for t in facts.cutover.rollback_triggers
    )
    assert any("rollback" in q.lower() for q in questions)
    assert all(m.date is None for m in facts.milestones if "UAT" in m.name)


def test_conditions_and_estimates_do_not_date_a_milestone() -> None:
    notes = chunks_of(
        "risks.txt",
        D(2026, 4, 1),
        "如果网关延期，联调可能推迟到2026年6月8日。\nIf the data is late, go-live might move to 3 August 2026.\n"
        "联调计划于2026年5月25日开始。",
    )
    dates = milestones(extract_facts(notes))
    assert set(dates.values()) == {D(2026, 5, 25)}
