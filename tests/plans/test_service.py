"""Drafting a plan through the service, with the reader's output made by hand and the scripted model: what
is stated keeps verified evidence, what the model adds is a proposal, a failure leaves nothing half-written,
and a redraft keeps people's edits and suggests instead."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from sqlalchemy.orm import Session

from api.container import Container
from assistant.background import repository as tasks
from assistant.db import transaction
from assistant.documents import repository as documents
from assistant.errors import ConflictError, InvalidInputError
from assistant.jobs import repository as jobs_repo
from assistant.plans import drafting, jobs, service, strategy
from assistant.plans.evidence import Passages, every_quote
from assistant.plans.facts import (
    Cutover,
    CutoverStage,
    Evidence,
    Interface,
    Phase,
    PlanFacts,
    RollbackTrigger,
    SourceChunk,
    System,
)
from assistant.plans.schemas import PlanCreate, PlanDetail, PlanUpdate
from assistant.projects import repository as projects
from assistant.providers import scheduler
from assistant.providers.embeddings import HashingEmbeddings
from assistant.providers.fakes import ScriptedChatModel
from assistant.providers.scheduler import Priority, llm_priority
from assistant.requirements.models import CheckedRequirement
from assistant.requirements.repository import replace_document_requirements
from assistant.risks.models import Risk
from tests.conftest import make_settings

KICKOFF = (
    "Kick-off meeting, 4 May 2026. IF-01: HIS sends lab orders to LIS over HL7 v2 in real time; the "
    "hospital IT team owns it. IF-02: LIS returns validated results to HIS over HL7 v2. SIT runs from "
    "2026-06-01 to 2026-06-19. The ward 3 pilot goes live on 2026-07-06."
)
SPEC = (
    "REQ-001 The LIS shall return results to HIS within 30 seconds of validation. "
    "REQ-002 The interface engine shall encrypt all HL7 traffic with TLS 1.2. "
    "REQ-003 The HIS shall show LIS results to the ordering physician."
)
MAIL = (
    "Subject: cut-over. If the HL7 error rate exceeds 1% for 10 minutes, the pilot stops and the ward "
    "falls back to paper request forms. Training for ward nurses is still open."
)


class Hospital:
    """A fictional hospital project: three documents, their passages, three requirements, two risks."""

    def __init__(self, container: Container) -> None:
        self.sessions = container.sessions
        with transaction(self.sessions) as s:
            self.project_id = projects.create_project(s, name="City Hospital HIS-LIS").id
            self.docs = {
                name: documents.create_document(
                    s,
                    project_id=self.project_id,
                    file_name=name,
                    status="indexed",
                    language="en",
                    chunk_count=1,
                ).id
                for name in ("2026-05-04_kickoff.md", "integration-spec.md", "2026-05-20_cutover.eml")
            }
            spec_id = self.docs["integration-spec.md"]
            reqs = [
                (
                    "REQ-001",
                    "The LIS shall return results to HIS within 30 seconds of validation.",
                    "performance",
                ),
                ("REQ-002", "The interface engine shall encrypt all HL7 traffic with TLS 1.2.", "security"),
                ("REQ-003", "The HIS shall show LIS results to the ordering physician.", None),
            ]
            replace_document_requirements(
                s,
                project_id=self.project_id,
                document_id=spec_id,
                items=[
                    (
                        CheckedRequirement(
                            id=ref,
                            text=text,
                            kind="non_functional" if cls else "functional",
                            quality_class=cls,
                        ),
                        None,
                        None,
                    )
                    for ref, text, cls in reqs
                ],
            )
            for number, (title, p, i, status) in enumerate(
                [("LIS vendor late", 4, 4, "open"), ("Old risk", 5, 5, "closed")], 1
            ):
                s.add(
                    Risk(
                        project_id=self.project_id,
                        number=number,
                        title=title,
                        probability=p,
                        impact=i,
                        status=status,
                        source="person",
                        created_by="t",
                        person_fields=[],
                        linked_requirements=[],
                        linked_interfaces=[],
                    )
                )
        texts = {
            "2026-05-04_kickoff.md": KICKOFF,
            "integration-spec.md": SPEC,
            "2026-05-20_cutover.eml": MAIL,
        }
        self.chunks = [
            SourceChunk(
                chunk_id=f"c{n}",
                document_id=self.docs[name],
                file_name=name,
                text=text,
                position=0,
                language="en",
            )
            for n, (name, text) in enumerate(texts.items())
        ]

    def ev(self, quote: str, n: int = 0) -> Evidence:
        c = self.chunks[n]
        assert quote in c.text
        return Evidence(document_id=c.document_id, file_name=c.file_name, quote=quote, chunk_id=c.chunk_id)

    def facts(self) -> PlanFacts:
        return PlanFacts(
            systems=[
                System(name="HIS", evidence=[self.ev("HIS sends lab orders")]),
                System(name="LIS", evidence=[self.ev("LIS returns validated results")]),
            ],
            interfaces=[
                Interface(
                    id="IF-01",
                    source="HIS",
                    target="LIS",
                    protocol="HL7",
                    data="lab orders",
                    frequency="real time",
                    owner="hospital IT team",
                    evidence=[self.ev("IF-01: HIS sends lab orders to LIS over HL7 v2 in real time")],
                ),
                Interface(
                    id="IF-02",
                    source="LIS",
                    target="HIS",
                    protocol="HL7",
                    data="validated results",
                    evidence=[self.ev("IF-02: LIS returns validated results to HIS over HL7 v2")],
                ),
                # The reader's quote is not in the passage: the plan must not keep it as stated.
                Interface(
                    id="IF-03",
                    source="PACS",
                    target="HIS",
                    protocol="DICOM",
                    evidence=[
                        Evidence(
                            document_id=self.chunks[0].document_id,
                            file_name=self.chunks[0].file_name,
                            quote="IF-03: PACS sends images to HIS",
                            chunk_id="c0",
                        )
                    ],
                ),
            ],
            phases=[
                Phase(
                    name="SIT",
                    start=dt.date(2026, 6, 1),
                    end=dt.date(2026, 6, 19),
                    evidence=[self.ev("SIT runs from 2026-06-01 to 2026-06-19")],
                )
            ],
            cutover=Cutover(
                stages=[
                    CutoverStage(
                        name="ward 3 pilot",
                        date=dt.date(2026, 7, 6),
                        evidence=[self.ev("The ward 3 pilot goes live on 2026-07-06")],
                    )
                ],
                rollback_triggers=[
                    RollbackTrigger(
                        condition="HL7 error rate",
                        threshold="> 1% for 10 minutes",
                        evidence=[self.ev("If the HL7 error rate exceeds 1% for 10 minutes", 2)],
                    )
                ],
            ),
        )

    def context(
        self, chat: ScriptedChatModel, facts: PlanFacts | None = None, chunks: list[SourceChunk] | None = None
    ) -> service.DraftContext:
        given = self.chunks if chunks is None else chunks

        def load(_session: Session, project_id: str) -> list[SourceChunk]:
            assert project_id == self.project_id
            return list(given)

        def extract(seen: Sequence[SourceChunk]) -> PlanFacts:
            assert list(seen) == list(given)
            return facts if facts is not None else self.facts()

        return service.DraftContext(
            sessions=self.sessions, chat_model=lambda: chat, load_chunks=load, extract=extract
        )


@pytest.fixture
def hospital(container: Container, chat_model: ScriptedChatModel) -> Hospital:
    made = Hospital(container)
    # As the app does; the worker is not started, so each test runs the job itself.
    service.register_drafting(container.background, lambda: made.context(chat_model))
    return made


def prose_reply(*ids: str) -> dict:
    return {
        "tests": [
            {"id": i, "title": f"Title of {i}", "acceptance": f"{i}: 100 of 100 messages arrive"} for i in ids
        ]
    }


def gaps_reply(hospital: Hospital, quote: str | None, **extra: object) -> dict:
    """The model cites the passage holding ``quote`` (by its number among the passages it is shown)."""
    windows = drafting._windows(Passages(hospital.chunks))
    n = next((i for i, w in enumerate(windows, 1) if quote and quote in w.text), 1)
    return {
        "rollback_procedure": "Stop the HL7 feed, switch the ward to paper forms, re-enter orders made meanwhile.",
        "rollback_time_limit": None,
        "passage": n,
        "quote": quote,
        "open_questions": ["Who signs off the UAT?"],
        **extra,
    }


def draft(hospital: Hospital, container: Container, chat: ScriptedChatModel, **create: object) -> str:
    accepted = service.request_draft(
        hospital.sessions,
        container.background,
        project_id=hospital.project_id,
        data=PlanCreate.model_validate(create),
        actor="lena",
        ensure_model=lambda: chat,
    )
    service.run_draft(hospital.context(chat), plan_id=accepted.plan_id, job_id=accepted.job_id)
    return accepted.plan_id


def read(hospital: Hospital, plan_id: str) -> PlanDetail:
    with transaction(hospital.sessions) as s:
        return service.get_plan(s, project_id=hospital.project_id, plan_id=plan_id)


def all_test_ids(hospital: Hospital) -> list[str]:
    facts = hospital.facts()
    return [t.id for t in strategy.build(facts.interfaces, [], language="en")]


def test_a_draft_keeps_stated_facts_with_verified_quotes_and_marks_what_the_assistant_adds(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    quote = "the ward falls back to paper request forms"
    chat_model.enqueue(prose_reply(*all_test_ids(hospital)), gaps_reply(hospital, quote))
    plan = read(hospital, draft(hospital, container, chat_model))

    assert plan.status == "ready" and plan.reason is None and plan.language == "en"
    assert plan.title == "City Hospital HIS-LIS integration plan"
    # Every quote the plan keeps is verbatim in the passage it names.
    texts = {c.chunk_id: c.text for c in hospital.chunks}
    quotes = every_quote(plan)
    assert quotes and all(q.quote in texts[q.chunk_id or ""] for q in quotes)
    by_id = {i.id: i for i in plan.interfaces}
    assert not by_id["IF-01"].proposed and by_id["IF-01"].evidence
    assert by_id["IF-03"].proposed and by_id["IF-03"].evidence == []  # its quote was not in the passage
    # One integration test per interface; acceptance from the requirements' own words where they speak.
    integration = {t.interfaces[0]: t for t in plan.tests if t.level == "integration"}
    assert set(integration) == set(by_id)
    assert all(t.proposed for t in plan.tests)
    assert "REQ-003" in integration["IF-01"].requirements
    assert "REQ-001: The LIS shall return results to HIS within 30 seconds" in (
        integration["IF-02"].acceptance or ""
    )
    assert (
        integration["IF-03"].acceptance == "IT-IF-03: 100 of 100 messages arrive"
    )  # the model's, none given
    performance = [t for t in plan.tests if t.level == "performance"]
    security = [t for t in plan.tests if t.level == "security"]
    assert [t.requirements for t in performance] == [["REQ-001"]] and [t.requirements for t in security] == [
        ["REQ-002"]
    ]
    assert all(t.acceptance for t in plan.tests)
    # The rollback procedure is the model's proposal; its quote is checked and kept.
    assert plan.cutover.rollback_procedure_proposed and plan.cutover.rollback_procedure
    assert [e.quote for e in plan.cutover.evidence] == [quote]
    # Risks: the live one linked with its band, the closed one not.
    assert [(r.ref, r.band) for r in plan.risks] == [("RSK-0001", "high")]
    assert {r.requirement_id for r in plan.requirements} == {"REQ-001", "REQ-002", "REQ-003"}
    assert all(r.evidence and r.evidence[0].quote in SPEC for r in plan.requirements)
    questions = [q.question for q in plan.open_questions]
    assert "Who signs off the UAT?" in questions
    assert any("IF-02" in q and "often" in q for q in questions)  # no frequency stated for IF-02
    assert plan.draft_stats is not None and plan.draft_stats.llm_calls == 2 == len(chat_model.history)


def test_the_two_calls_share_their_instructions_and_are_capped(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    chat_model.enqueue(prose_reply(*all_test_ids(hospital)), gaps_reply(hospital, None))
    draft(hospital, container, chat_model)
    first, second = chat_model.history
    assert first["messages"][0].content == second["messages"][0].content  # the prompt cache reads it once
    assert (
        first["kwargs"]["max_tokens"]
        <= drafting.TESTS_BASE_TOKENS + drafting.TOKENS_PER_TEST * drafting.MAX_PROSE_TESTS
    )
    assert second["kwargs"]["max_tokens"] == drafting.GAPS_MAX_TOKENS
    assert "IF-01" in first["messages"][1].content and "falls back" in second["messages"][1].content


def test_a_quote_the_passage_does_not_hold_is_dropped(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    chat_model.enqueue(prose_reply(), gaps_reply(hospital, "rollback within 15 minutes is guaranteed"))
    plan = read(hospital, draft(hospital, container, chat_model))
    assert plan.cutover.rollback_procedure_proposed and plan.cutover.evidence == []
    assert plan.cutover.rollback_time_limit is None
    # The model wrote no test prose: an integration test gets criteria from its interface's own facts.
    it3 = next(t for t in plan.tests if t.id == "IT-IF-03")
    assert it3.acceptance and all(word in it3.acceptance for word in ("PACS", "HIS", "DICOM"))


def test_a_project_without_documents_gets_questions_not_a_catalogue(
    container: Container, chat_model: ScriptedChatModel
) -> None:
    with transaction(container.sessions) as s:
        pid = projects.create_project(s, name="物流园区 WMS 对接").id
    ctx = service.DraftContext(
        sessions=container.sessions,
        chat_model=lambda: chat_model,
        load_chunks=lambda _s, _p: [],
        extract=lambda _c: PlanFacts(),
    )
    service.register_drafting(container.background, lambda: ctx)
    accepted = service.request_draft(
        container.sessions,
        container.background,
        project_id=pid,
        data=PlanCreate(),
        actor="lena",
        ensure_model=lambda: chat_model,
    )
    service.run_draft(ctx, plan_id=accepted.plan_id, job_id=accepted.job_id)
    with transaction(container.sessions) as s:
        plan = service.get_plan(s, project_id=pid, plan_id=accepted.plan_id)
    assert plan.status == "ready" and plan.language == "zh" and plan.title.endswith("集成方案")
    assert plan.interfaces == [] and plan.systems == [] and plan.tests == []
    assert [q.question for q in plan.open_questions] == [
        q.question for q in plan.open_questions if "文档" in q.question
    ] and len(plan.open_questions) == 1
    assert chat_model.history == []  # nothing to read, nothing to ask


def test_a_failed_draft_is_failed_with_its_reason_and_nothing_written(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    chat_model.enqueue(ConnectionError("model server is down"))
    accepted = service.request_draft(
        hospital.sessions,
        container.background,
        project_id=hospital.project_id,
        data=PlanCreate(title="HIS-LIS plan"),
        actor="lena",
        ensure_model=lambda: chat_model,
    )
    with pytest.raises(Exception, match="unavailable"):
        service.run_draft(hospital.context(chat_model), plan_id=accepted.plan_id, job_id=accepted.job_id)
    plan = read(hospital, accepted.plan_id)
    assert plan.status == "failed" and "unavailable" in (plan.reason or "")
    assert plan.interfaces == [] and plan.tests == [] and plan.open_questions == []
    with transaction(hospital.sessions) as s:
        job = jobs_repo.get_job(s, job_id=accepted.job_id)
        assert job.status == "failed" and "unavailable" in (job.error or "")
    # Running the job again (a restart) leaves the failed plan alone.
    assert (
        service.run_draft(hospital.context(chat_model), plan_id=accepted.plan_id, job_id=accepted.job_id)
        is None
    )


def test_a_model_that_answers_nonsense_costs_the_prose_not_the_plan(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    """Malformed answers (twice per call: asked again once) lose only what the model would add: the stated
    catalogue stays, and every test still has acceptance criteria built from its interface's facts."""
    chat_model.enqueue("not json", "still not json", "{broken", "{broken")
    plan = read(hospital, draft(hospital, container, chat_model))
    assert plan.status == "ready"
    assert {i.id for i in plan.interfaces} == {i.id for i in hospital.facts().interfaces}
    integration = [t for t in plan.tests if t.level.value == "integration"]
    assert integration and all(t.acceptance for t in integration)
    assert not plan.cutover.rollback_procedure_proposed


def test_an_unknown_five_why_id_is_refused_and_creates_nothing(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    with pytest.raises(InvalidInputError, match="why_nope"):
        service.request_draft(
            hospital.sessions,
            container.background,
            project_id=hospital.project_id,
            data=PlanCreate(five_why_ids=["why_nope"]),
            actor="lena",
            ensure_model=lambda: chat_model,
        )
    with transaction(hospital.sessions) as s:
        assert service.list_plans(s, project_id=hospital.project_id).total == 0


def test_a_redraft_keeps_a_persons_edit_adds_new_stated_items_and_suggests_the_rest(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    chat_model.enqueue(prose_reply(), gaps_reply(hospital, None))
    plan_id = draft(hospital, container, chat_model)
    plan = read(hospital, plan_id)
    edited = [i.model_copy(update={"owner": "Wang Lei"}) if i.id == "IF-02" else i for i in plan.interfaces]
    edited = [i for i in edited if i.id != "IF-03"]  # a person removes what the documents do not back
    with pytest.raises(ConflictError, match=f"version {plan.version}"):
        service.update_plan(
            hospital.sessions,
            project_id=hospital.project_id,
            plan_id=plan_id,
            data=PlanUpdate(version=plan.version - 1, interfaces=edited),
            actor="lena",
        )
    changed = service.update_plan(
        hospital.sessions,
        project_id=hospital.project_id,
        plan_id=plan_id,
        data=PlanUpdate(version=plan.version, interfaces=edited),
        actor="lena",
    )
    assert changed.person_fields == ["interfaces"] and changed.version > plan.version
    row = changed.history[-1]
    assert (row.actor, row.kind, row.field) == ("lena", "changed", "interfaces") and "Wang Lei" in (
        row.new_value or ""
    )

    # New documents: IF-01 now runs every 5 minutes, and a new interface IF-04 is stated.
    new_mail = (
        "IF-01 will run every 5 minutes instead. IF-04: HIS sends patient master data to the LIS nightly."
    )
    chunks = [
        *hospital.chunks,
        SourceChunk("c9", hospital.chunks[2].document_id, "2026-05-20_cutover.eml", new_mail, 1),
    ]
    facts = hospital.facts()
    facts.interfaces[0].frequency = "every 5 minutes"
    facts.interfaces.append(
        Interface(
            id="IF-04",
            source="HIS",
            target="LIS",
            data="patient master data",
            evidence=[
                Evidence(
                    document_id=chunks[-1].document_id,
                    file_name=chunks[-1].file_name,
                    quote="IF-04: HIS sends patient master data to the LIS nightly",
                    chunk_id="c9",
                )
            ],
        )
    )
    chat_model.enqueue(prose_reply(), gaps_reply(hospital, None))
    accepted = service.request_redraft(
        hospital.sessions,
        container.background,
        project_id=hospital.project_id,
        plan_id=plan_id,
        actor="lena",
        ensure_model=lambda: chat_model,
    )
    service.run_draft(hospital.context(chat_model, facts, chunks), plan_id=plan_id, job_id=accepted.job_id)
    after = read(hospital, plan_id)
    by_id = {i.id: i for i in after.interfaces}
    assert by_id["IF-02"].owner == "Wang Lei"  # the person's edit stands
    assert "IF-03" not in by_id  # what the person removed stays removed
    assert "IF-04" in by_id and by_id["IF-04"].evidence  # newly stated, with evidence: added
    assert by_id["IF-01"].frequency == "real time"  # a person owns the field: suggested, not written
    pending = [s for s in after.suggestions if s.status == "pending"]
    assert [(s.field, s.item_key) for s in pending] == [("interfaces", "IF-01")]
    assert pending[0].new_value["frequency"] == "every 5 minutes"
    assert any(h.kind == "suggestion" and h.field == "interfaces" for h in after.history)
    # Fields nobody edited follow the documents: IF-04 has its integration test.
    assert any(t.interfaces == ["IF-04"] for t in after.tests)

    taken = service.accept_suggestion(
        hospital.sessions,
        project_id=hospital.project_id,
        plan_id=plan_id,
        suggestion_id=pending[0].id,
        version=after.version,
        actor="lena",
    )
    assert {i.id: i for i in taken.interfaces}["IF-01"].frequency == "every 5 minutes"
    assert taken.history[-1].kind == "accepted" and taken.suggestions[0].status == "accepted"
    with pytest.raises(ConflictError, match="accepted"):
        service.reject_suggestion(
            hospital.sessions,
            project_id=hospital.project_id,
            plan_id=plan_id,
            suggestion_id=pending[0].id,
            version=taken.version,
            actor="lena",
        )

    # The same documents again: nothing new is suggested a second time.
    chat_model.enqueue(prose_reply(), gaps_reply(hospital, None))
    again = service.request_redraft(
        hospital.sessions,
        container.background,
        project_id=hospital.project_id,
        plan_id=plan_id,
        actor="lena",
        ensure_model=lambda: chat_model,
    )
    service.run_draft(hospital.context(chat_model, facts, chunks), plan_id=plan_id, job_id=again.job_id)
    assert len(read(hospital, plan_id).suggestions) == len(after.suggestions)


def test_a_plan_of_another_project_does_not_exist_there(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    chat_model.enqueue(prose_reply(), gaps_reply(hospital, None))
    plan_id = draft(hospital, container, chat_model)
    with transaction(container.sessions) as s:
        other = projects.create_project(s, name="Retail POS").id
    from assistant.errors import NotFoundError

    with transaction(container.sessions) as s, pytest.raises(NotFoundError, match=plan_id):
        service.get_plan(s, project_id=other, plan_id=plan_id)


def test_a_draft_a_stopped_server_was_running_runs_again_at_the_next_start(
    tmp_path: Path, chat_model: ScriptedChatModel
) -> None:
    settings = make_settings(tmp_path)
    first = Container(settings, embeddings=HashingEmbeddings(), chat_model=chat_model)
    hospital = Hospital(first)
    service.register_drafting(first.background, lambda: hospital.context(chat_model))
    accepted = service.request_draft(
        first.sessions,
        first.background,
        project_id=hospital.project_id,
        data=PlanCreate(),
        actor="lena",
        ensure_model=lambda: chat_model,
    )
    with transaction(first.sessions) as s:  # the worker had claimed it when the process was killed
        claimed = tasks.claim_next(s, queue=jobs.PLAN_QUEUE)
        assert claimed is not None and claimed.key == accepted.plan_id
    first.close()

    second = Container(settings, embeddings=HashingEmbeddings(), chat_model=chat_model)
    try:
        context = dataclasses.replace(hospital.context(chat_model), sessions=second.sessions)
        service.register_drafting(second.background, lambda: context)
        chat_model.enqueue(prose_reply(*all_test_ids(hospital)), gaps_reply(hospital, None))
        second.start_background([jobs.PLAN_QUEUE])
        assert second.background.wait_idle([jobs.PLAN_QUEUE], timeout=30)
        with transaction(second.sessions) as s:
            plan = service.get_plan(s, project_id=hospital.project_id, plan_id=accepted.plan_id)
            job = jobs_repo.get_job(s, job_id=accepted.job_id)
        assert plan.status == "ready" and {i.id for i in plan.interfaces} == {"IF-01", "IF-02", "IF-03"}
        assert job.status == "done" and job.kind == "plan"
    finally:
        second.close()


def test_a_drafts_calls_go_before_background_work_even_from_a_worker_thread(
    hospital: Hospital, container: Container, chat_model: ScriptedChatModel
) -> None:
    seen: list[Priority] = []

    class Recorder(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: dict, messages: list, **_: object) -> None:
            seen.append(scheduler._PRIORITY.get())

    chat_model.callbacks = [Recorder()]
    chat_model.enqueue(prose_reply(*all_test_ids(hospital)), gaps_reply(hospital, None))
    with llm_priority(Priority.background):  # what a background queue's thread may carry
        draft(hospital, container, chat_model)
    assert seen == [Priority.interactive, Priority.interactive]
