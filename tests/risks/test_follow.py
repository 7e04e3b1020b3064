"""The follow pass and the suggestions it leaves: a later document says an earlier risk changed; the register
gets the quote as evidence and a suggestion, and only a person's acceptance changes anything."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.documents.models import Document
from assistant.errors import ConflictError
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.risks import service
from assistant.risks.cues import change_in, cues_in
from assistant.risks.scan import ScanContext, scan_document
from assistant.risks.schemas import RiskDetail
from assistant.risks.settings import RiskSettings
from assistant.settings import Settings
from tests.risks.conftest import add_document, finding, findings

FIRST = "OI-01：MES 接口 API 版本尚未确认，接口开发可能延期。"
LATER = "OI-01 已关闭：厂商于3月27日书面确认交付 API v4.0。"
QUOTE = "MES 接口 API 版本尚未确认"


@pytest.fixture
def follow_rs() -> RiskSettings:
    # The hashing embedder's similarities are low: a low bar, and the shared id OI-01 lifts it. Only strong
    # cues are candidates, so the later document's "确认" is left to the follow pass (each scripted reply is
    # the follow question's answer).
    return RiskSettings(
        scan_screen=False,
        scan_min_cue_score=2,
        scan_embed_weight=0,
        follow_threshold=0.3,
        follow_id_bonus=0.3,
        match_threshold=0.5,
    )


def _dated(sessions: sessionmaker[Session], document_id: str, day: dt.date) -> None:
    with transaction(sessions) as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        doc.doc_date = day


def _scan(ctx: ScanContext, project_id: str, document_id: str) -> None:
    scan_document(ctx, project_id=project_id, document_id=document_id)


def _detail(sessions: sessionmaker[Session], project_id: str) -> RiskDetail:
    with transaction(sessions) as session:
        return service.detail(session, project_id=project_id, ref="RSK-0001")


def _two_documents(
    sessions: sessionmaker[Session],
    project_id: str,
    settings: Settings,
    rs: RiskSettings,
    answer: dict[str, str],
) -> tuple[ScriptedChatModel, RiskDetail]:
    chat = ScriptedChatModel()
    ctx = ScanContext(chat, HashingEmbeddings(), sessions, settings, risk_settings=rs)
    # The later document is uploaded first: the timeline still reads by the documents' own dates.
    first = add_document(sessions, project_id, "kickoff.md", [FIRST])
    _dated(sessions, first, dt.date(2026, 3, 2))
    chat.enqueue(findings(finding(QUOTE, "API 版本未确认", category="vendor", probability=4, impact=4)))
    _scan(ctx, project_id, first)
    later = add_document(sessions, project_id, "weekly.txt", [LATER])
    _dated(sessions, later, dt.date(2026, 4, 10))
    chat.enqueue(json.dumps(answer, ensure_ascii=False))
    _scan(ctx, project_id, later)
    return chat, _detail(sessions, project_id)


def test_change_words_are_read_as_resolved_or_worse_but_not_when_only_expected() -> None:
    assert change_in(LATER) == "resolved"
    assert change_in("The vendor signed the contract on Monday.") == "resolved"
    assert change_in("Delivery moved to 8 May, originally 30 April.") == "worse"
    assert change_in("The commitment is to be confirmed within 2 weeks.") is None
    assert change_in("厂商尚未签约。") is None


def test_a_later_document_that_resolves_a_risk_leaves_evidence_and_a_suggestion_only(
    sessions: sessionmaker[Session], project_id: str, scan_settings: Settings, follow_rs: RiskSettings
) -> None:
    chat, risk = _two_documents(
        sessions, project_id, scan_settings, follow_rs, {"change": "resolved", "quote": "OI-01 已关闭"}
    )
    follow_call = chat.history[-1]["messages"]
    assert "API 版本未确认" in follow_call[1].content and LATER in follow_call[1].content
    assert "不可信" in follow_call[0].content
    # Nothing applied: the draft stays a draft with its values.
    assert (risk.status.value, risk.probability, risk.impact) == ("draft", 4, 4)
    (pending,) = risk.suggestions
    assert (pending.field, pending.suggested, pending.state) == ("status", "closed", "pending")
    assert "OI-01 已关闭" in (pending.note or "")
    # The timeline: the kickoff quote first, then the weekly note that says it is resolved.
    assert [(t.date, t.signal) for t in risk.timeline] == [
        (dt.date(2026, 3, 2), "risk"),
        (dt.date(2026, 4, 10), "resolved"),
    ]
    assert risk.timeline[1].quote == LATER and risk.timeline[1].suggestion_ids == [pending.id]


def test_accepting_a_suggested_close_moves_the_risk_through_the_lifecycle_as_the_person(
    sessions: sessionmaker[Session], project_id: str, scan_settings: Settings, follow_rs: RiskSettings
) -> None:
    _, risk = _two_documents(
        sessions, project_id, scan_settings, follow_rs, {"change": "resolved", "quote": "OI-01 已关闭"}
    )
    (pending,) = risk.suggestions
    after = service.accept_suggestion(
        sessions, project_id=project_id, ref=risk.id, suggestion_id=pending.id, version=risk.version,
        actor="王磊", settings=follow_rs,
    )  # fmt: skip
    assert after.status.value == "closed"
    moves = [(h.old_value, h.new_value) for h in after.history if h.kind == "transition"]
    assert moves == [("draft", "open"), ("open", "mitigating"), ("mitigating", "closed")]
    assert {h.actor for h in after.history if h.kind == "transition"} == {"王磊"}
    assert after.suggestions[0].state == "accepted"
    with pytest.raises(ConflictError):
        service.accept_suggestion(
            sessions, project_id=project_id, ref=risk.id, suggestion_id=pending.id, version=after.version,
            actor="王磊", settings=follow_rs,
        )  # fmt: skip


def test_a_rejected_suggestion_changes_nothing_and_is_not_asked_again(
    sessions: sessionmaker[Session], project_id: str, scan_settings: Settings, follow_rs: RiskSettings
) -> None:
    chat, risk = _two_documents(sessions, project_id, scan_settings, follow_rs, {"change": "less_likely"})
    (pending,) = risk.suggestions
    assert (pending.field, pending.current, pending.suggested) == ("probability", "4", "3")
    after = service.reject_suggestion(
        sessions, project_id=project_id, ref=risk.id, suggestion_id=pending.id, actor="王磊", reason="不影响"
    )
    assert (after.probability, after.version, after.suggestions[0].state) == (4, risk.version, "rejected")
    calls = len(chat.history)
    with transaction(sessions) as session:
        (doc,) = [d for d in session.query(Document).all() if d.file_name == "weekly.txt"]
        doc_id = doc.id
    scan_document(ScanContext(chat, HashingEmbeddings(), sessions, scan_settings, risk_settings=follow_rs),
                  project_id=project_id, document_id=doc_id)  # fmt: skip
    assert len(chat.history) == calls  # the same news is not put to the model twice


def test_news_unlike_every_earlier_risk_costs_no_llm_call(
    sessions: sessionmaker[Session], project_id: str, scan_settings: Settings, follow_rs: RiskSettings
) -> None:
    chat = ScriptedChatModel()
    ctx = ScanContext(chat, HashingEmbeddings(), sessions, scan_settings, risk_settings=follow_rs)
    first = add_document(sessions, project_id, "kickoff.md", [FIRST])
    chat.enqueue(findings(finding(QUOTE, "API 版本未确认", category="vendor")))
    _scan(ctx, project_id, first)
    other = add_document(sessions, project_id, "canteen.txt", ["The canteen contract was signed on Monday."])
    _scan(ctx, project_id, other)
    assert len(chat.history) == 1 and _detail(sessions, project_id).suggestions == []


@pytest.mark.parametrize(
    ("later", "offered", "answer", "kept"),
    [
        (LATER, ["resolved", "less_likely", "none"], "worse", "none"),  # "已关闭" cannot make it worse
        (
            "OI-01：厂商确认 API 版本为 v4.0（原计划 v3.2），接口开发推迟两周。",
            ["occurred", "more_likely", "worse", "none"],
            "worse",
            "worse",
        ),
    ],
)
def test_the_sentences_own_change_words_limit_the_answers(
    sessions: sessionmaker[Session],
    project_id: str,
    scan_settings: Settings,
    follow_rs: RiskSettings,
    later: str,
    offered: list[str],
    answer: str,
    kept: str,
) -> None:
    chat = ScriptedChatModel()
    ctx = ScanContext(chat, HashingEmbeddings(), sessions, scan_settings, risk_settings=follow_rs)
    first = add_document(sessions, project_id, "kickoff.md", [FIRST])
    chat.enqueue(findings(finding(QUOTE, "API 版本未确认", category="vendor", probability=4, impact=4)))
    _scan(ctx, project_id, first)
    if cues_in(later)[0] >= follow_rs.scan_min_cue_score:
        chat.enqueue(findings())  # the register question about the sentence itself: nothing new
    chat.enqueue(json.dumps({"change": answer}))
    _scan(ctx, project_id, add_document(sessions, project_id, "weekly.txt", [later]))
    schema = chat.history[-1]["kwargs"]["response_format"]["schema"]
    assert schema["properties"]["change"]["enum"] == offered
    risk = _detail(sessions, project_id)
    assert [s.note.split(" per ")[0] for s in risk.suggestions] == ([] if kept == "none" else [kept])
    assert (risk.probability, risk.impact, risk.status.value) == (4, 4, "draft")


def test_news_goes_to_the_risk_that_names_its_id_or_day_not_its_neighbours() -> None:
    from assistant.risks.follow import Earlier, News, best_matches, names_in

    def earlier(risk_id: int, title: str, quote: str) -> Earlier:
        return Earlier(risk_id, title, title, [quote], names_in(f"{title} {quote}"))

    access = earlier(1, "远程访问未开通", "OI-03：Werkwelt 开发人员尚无测试网络的远程访问权限。")
    start = earlier(2, "Integration test start at risk", "Integration testing is due to start on 11 May.")
    slip = "同意将接口联调开始日期由5月11日调整为5月25日。"
    news = News(slip, f"OI-03 已关闭：堡垒机已开通。{slip}", "c1", None, None, "worse")
    # The hashing embedder scores the Chinese news about equally low against both: the shared day decides,
    # and the neighbour's OI-03 does not count.
    rs = RiskSettings(follow_threshold=0.2, follow_id_bonus=0.3)
    ((_, matched, _),) = best_matches(HashingEmbeddings(), [news], [access, start], rs)
    assert matched.risk_id == 2
    assert names_in("5月11日") == names_in("11 May") and not names_in("4 月底")


def test_an_id_said_to_be_closed_proposes_closing_its_risk_without_asking_the_model(
    sessions: sessionmaker[Session], project_id: str, scan_settings: Settings, follow_rs: RiskSettings
) -> None:
    from assistant.risks.follow import closed_ids

    assert closed_ids(LATER) == {"OI01"} and closed_ids("OI-03: closed on 24 March.") == {"OI03"}
    assert not closed_ids("OI-02 仍未关闭") and not closed_ids("OI-04 will be closed next week")
    chat = ScriptedChatModel()
    ctx = ScanContext(chat, HashingEmbeddings(), sessions, scan_settings, risk_settings=follow_rs)
    first = add_document(sessions, project_id, "kickoff.md", [FIRST])
    chat.enqueue(findings(finding("OI-01：MES 接口 API 版本尚未确认", "API 版本未确认", category="vendor")))
    _scan(ctx, project_id, first)
    calls = len(chat.history)
    _scan(ctx, project_id, add_document(sessions, project_id, "weekly.txt", [LATER]))
    assert len(chat.history) == calls  # read by code: no follow question
    risk = _detail(sessions, project_id)
    (pending,) = risk.suggestions
    assert (pending.field, pending.suggested, risk.status.value) == ("status", "closed", "draft")


@pytest.mark.parametrize(
    ("levels", "answer", "suggested"),
    [
        ((4, 4), "worse", ("impact", "5")),
        ((4, 5), "worse", ("probability", "5")),  # impact at its top: the news still counts
        ((5, 5), "worse", ("status", "occurred")),
        ((5, 5), "more_likely", ("status", "occurred")),
    ],
)
def test_bad_news_on_a_risk_at_its_top_levels_still_proposes_something(
    sessions: sessionmaker[Session],
    project_id: str,
    scan_settings: Settings,
    follow_rs: RiskSettings,
    levels: tuple[int, int],
    answer: str,
    suggested: tuple[str, str],
) -> None:
    chat = ScriptedChatModel()
    ctx = ScanContext(chat, HashingEmbeddings(), sessions, scan_settings, risk_settings=follow_rs)
    first = add_document(sessions, project_id, "kickoff.md", [FIRST])
    probability, impact = levels
    chat.enqueue(findings(finding(QUOTE, "API 版本未确认", category="vendor", probability=probability,
                                  impact=impact)))  # fmt: skip
    _scan(ctx, project_id, first)
    later = "OI-01：厂商确认 API 版本为 v4.0（原计划 v3.2），接口开发推迟两周。"
    if cues_in(later)[0] >= follow_rs.scan_min_cue_score:
        chat.enqueue(findings())  # the register question about the sentence itself: nothing new
    chat.enqueue(json.dumps({"change": answer}))
    _scan(ctx, project_id, add_document(sessions, project_id, "weekly.txt", [later]))
    risk = _detail(sessions, project_id)
    assert [(s.field, s.suggested) for s in risk.suggestions] == [suggested]
    assert (risk.probability, risk.impact, risk.status.value) == (probability, impact, "draft")
