"""Drafting a plan: the facts the documents state (read by code), the register's risks, the requirement
store and the 5-Why root needs, then at most two short LLM calls for what code cannot write.

1. Code: the facts, the links, the test strategy (strategy.py) and the questions the plan's gaps raise
   (questions.py).
2. The model, call 1 (only for tests no requirement gives acceptance criteria): a title and measurable
   acceptance criteria per test.
3. The model, call 2: a rollback procedure when the documents give none, and open questions.
4. Code: every quote is checked against its passage (evidence.py); what fails is dropped.

Both calls share one static system prompt (plan_system.<lang>.md), so the local model's prompt cache reads it
once; their outputs are capped. Everything the model adds is marked proposed. A project with no passages is
drafted without the model: there is nothing for it to read, and a catalogue it wrote would be invented.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.errors import ModelBusyError, ModelOutputError
from assistant.plans import questions, strategy
from assistant.plans.evidence import Passages, cited, verify
from assistant.plans.facts import (
    Interface,
    OpenQuestion,
    PlanContent,
    PlanFacts,
    PlanNeed,
    PlanRequirement,
    PlanRisk,
    SourceChunk,
    TestItem,
)
from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured, with_output_cap
from assistant.providers.metering import metered
from assistant.providers.settings import StructuredMethod
from assistant.qa.pipeline import format_passages

# Tests whose prose one call writes; the others keep code's title and acceptance (strategy.py).
log = logging.getLogger(__name__)

MAX_PROSE_TESTS = 6
# Output tokens: a title and one or two sentences per test, and a short procedure with a few questions.
# A title and one or two sentences of criteria, in JSON: the packaged model needed more than 100 tokens for one
# test (bench.plans --draft stopped at the length limit), Chinese text more than English.
TOKENS_PER_TEST = 140
TESTS_BASE_TOKENS = 60
GAPS_MAX_TOKENS = 300
MAX_MODEL_QUESTIONS = 5
# What the gaps call reads: the passages most about cut-over, rollback, training and hand-over, each a window
# around its first cue, and the plan in brief.
GAP_PASSAGES = 3
PASSAGE_WINDOW = 400
PLAN_SUMMARY_CHARS = 1200
SENTENCE_ENDS = (". ", "。", "！", "？", "!", "?", "\n", "；")
GAP_CUES = re.compile(
    r"回滚|回退|切换|灰度|上线|试运行|培训|移交|交接|应急|"
    r"roll ?back|fall ?back|cut-?over|go-?live|gray|grey|canary|pilot|training|hand-?over|contingency",
    re.IGNORECASE,
)
# How long one call waits its turn when people's calls keep the model busy: the draft is a job, not a
# request, so it queues (at interactive priority) rather than failing on the first refusal.
BUSY_PAUSE_S = 2.0


class TestProse(BaseModel):
    id: str = Field(description="The test's id, as listed.")
    title: str
    acceptance: str = Field(description="One or two measurable sentences.")


class TestsDraft(BaseModel):
    tests: list[TestProse]


class GapsDraft(BaseModel):
    rollback_procedure: str | None = Field(default=None, description="Short steps, or null.")
    rollback_time_limit: str | None = Field(default=None, description="Only as a passage states it.")
    passage: int | None = Field(default=None, description="The passage that describes the procedure.")
    quote: str | None = Field(default=None, description="Exact words from that passage.")
    open_questions: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class DraftInput:
    """What a draft reads; the service gathers it from the stores."""

    chunks: Sequence[SourceChunk]
    facts: PlanFacts
    requirements: list[PlanRequirement]
    risks: list[PlanRisk]
    needs: list[PlanNeed]
    language: str


@dataclass(frozen=True)
class DraftOutcome:
    content: PlanContent
    seconds: float
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    chunks: int


@dataclass
class _View:
    """A window of a chunk shown to the model (format_passages reads these fields)."""

    chunk_id: str
    document_id: str
    file_name: str
    page: int | None
    section: str | None
    text: str
    score: float = 0.0


def draft_plan(
    inp: DraftInput,
    *,
    llm: BaseChatModel | None,
    method: StructuredMethod = StructuredMethod.json_object,
    busy_deadline_s: float = 600.0,
) -> DraftOutcome:
    """The plan's body from ``inp``. Model errors propagate (the caller keeps the stored plan as it was).
    ``llm`` may be None only when there are no passages (nothing for a model to read)."""
    started = time.monotonic()
    passages = Passages(inp.chunks)
    facts = inp.facts
    content = PlanContent(
        systems=facts.systems,
        interfaces=facts.interfaces,
        phases=facts.phases,
        milestones=facts.milestones,
        cutover=facts.cutover,
        training=facts.training,
        handover=facts.handover,
        risks=inp.risks,
        requirements=inp.requirements,
        needs=inp.needs,
        conflicts=facts.conflicts,
    )
    content = verify(content, passages)  # the reader's quotes too: nothing unverified is kept as stated
    content.tests = strategy.build(content.interfaces, content.requirements, language=inp.language)
    model_questions: list[OpenQuestion] = []
    with metered() as meter:
        if passages.chunks:
            if llm is None:
                raise ValueError("drafting from passages needs a chat model")
            ask = _Asker(llm, inp.language, method, deadline=started + busy_deadline_s)
            # The model only adds prose and proposals: a malformed answer costs them, not the plan (what the
            # documents state and code built stays). A model that is away still fails the draft.
            try:
                _write_test_prose(content.tests, content.interfaces, ask, inp.language)
            except ModelOutputError as exc:
                log.warning("plan draft: test prose left to the code's criteria: %s", exc)
                _fallback_acceptance(content.tests, content.interfaces, inp.language)
            try:
                model_questions = _fill_gaps(content, passages, ask)
            except ModelOutputError as exc:
                log.warning("plan draft: no proposals for the gaps: %s", exc)
    ours = questions.gaps(content, language=inp.language, has_documents=bool(passages.chunks))
    content.open_questions = questions.merged(
        ours, questions.not_asked(facts.open_questions, ours), model_questions
    )
    return DraftOutcome(
        content=content,
        seconds=round(time.monotonic() - started, 2),
        llm_calls=meter.calls,
        prompt_tokens=meter.prompt_tokens,
        completion_tokens=meter.completion_tokens,
        chunks=len(passages.chunks),
    )


class _Asker:
    """One structured call with the shared system prompt first; waits its turn while the model is busy."""

    def __init__(self, llm: BaseChatModel, language: str, method: StructuredMethod, *, deadline: float):
        self.llm = llm
        self.system = SystemMessage(render_prompt("plan_system", language))
        self.method = method
        self.deadline = deadline

    def __call__(self, schema: type[BaseModel], user: str, max_tokens: int) -> BaseModel:
        messages: list[BaseMessage] = [self.system, HumanMessage(user)]
        capped = with_output_cap(self.llm, max_tokens)
        while True:
            try:
                return ask_structured(capped, schema, messages, method=self.method)
            except ModelBusyError:
                if time.monotonic() + BUSY_PAUSE_S > self.deadline:
                    raise
                time.sleep(BUSY_PAUSE_S)


def _test_line(test: TestItem, interfaces: dict[str, Interface]) -> str:
    parts = [test.id, test.level.value]
    for iid in test.interfaces[:6]:
        iface = interfaces.get(iid)
        if iface is not None:
            route = f"{iface.source or '?'}->{iface.target or '?'}"
            extra = " ".join(x for x in (iface.protocol, iface.data, iface.frequency) if x)
            parts.append(f"{iid} {route} {extra}".strip())
    if len(test.interfaces) > 6:
        parts.append(f"+{len(test.interfaces) - 6} interfaces")
    parts.append(f"now titled: {test.title}")
    return " | ".join(parts)


def _write_test_prose(
    tests: list[TestItem], interfaces: Sequence[Interface], ask: _Asker, language: str
) -> None:
    """Call 1: title and acceptance for the tests no requirement gives acceptance criteria (the first
    MAX_PROSE_TESTS). An integration test the model does not reach gets criteria from its interface's facts
    (strategy.fallback_acceptance); any other keeps none, which the plan's reader sees."""
    todo = [t for t in tests if not t.acceptance][:MAX_PROSE_TESTS]
    if todo:
        _ask_test_prose(todo, interfaces, ask)
    _fallback_acceptance(tests, interfaces, language)


def _fallback_acceptance(tests: list[TestItem], interfaces: Sequence[Interface], language: str) -> None:
    for test in tests:
        if not test.acceptance:
            test.acceptance = strategy.fallback_acceptance(test, interfaces, language)


def _ask_test_prose(todo: list[TestItem], interfaces: Sequence[Interface], ask: _Asker) -> None:
    by_id = {i.id: i for i in interfaces}
    user = render_prompt("plan_tests_user", None, tests="\n".join(_test_line(t, by_id) for t in todo))
    draft = ask(TestsDraft, user, TESTS_BASE_TOKENS + TOKENS_PER_TEST * len(todo))
    assert isinstance(draft, TestsDraft)
    wanted = {t.id: t for t in todo}
    for prose in draft.tests:
        test = wanted.pop(prose.id.strip(), None)
        if test is None:
            continue
        if prose.title.strip():
            test.title = prose.title.strip()
        if prose.acceptance.strip():
            test.acceptance = prose.acceptance.strip()


def _windows(passages: Passages) -> list[_View]:
    """The chunks with the most cut-over, rollback and training cues, in document order, each cut to a
    window that starts a little before its first cue."""
    scored = []
    for chunk in passages.chunks:
        text = passages.facts(chunk)
        hits = list(GAP_CUES.finditer(text))
        if hits:
            scored.append((len(hits), chunk, text, hits[0].start()))
    best = sorted(scored, key=lambda s: -s[0])[:GAP_PASSAGES]
    best.sort(key=lambda s: (s[1].document_id, s[1].position))
    views = []
    for _, chunk, text, first in best:
        start = max(0, first - PASSAGE_WINDOW // 4)
        # Begin at a sentence if one starts in the lead-in: a window that opens mid-word reads as noise.
        stop = max(text.rfind(mark, start, first) for mark in SENTENCE_ENDS)
        start = stop + 1 if stop >= 0 else start
        views.append(
            _View(
                chunk_id=chunk.chunk_id,
                document_id=chunk.document_id,
                file_name=chunk.file_name,
                page=chunk.page,
                section=chunk.section,
                text=text[start : start + PASSAGE_WINDOW].strip(),
            )
        )
    return views


def summary(content: PlanContent, max_chars: int = PLAN_SUMMARY_CHARS) -> str:
    """The plan in brief, for the model to see what is there and what is not."""
    c = content
    lines = [
        "systems: " + ("; ".join(s.name for s in c.systems) or "(none)"),
        "interfaces: "
        + (
            "; ".join(f"{i.id} {i.source or '?'}->{i.target or '?'} {i.protocol or ''}" for i in c.interfaces)
            or "(none)"
        ),
        "phases: "
        + (
            "; ".join(
                f"{p.name} {p.start or ''}..{p.end or ''}"
                + "".join(f", {m.name} {m.date or '?'}" for m in p.milestones)
                for p in c.phases
            )
            or "(none)"
        ),
        "milestones outside phases: "
        + ("; ".join(f"{m.name} {m.date or '?'}" for m in c.milestones) or "(none)"),
        "cut-over stages: " + ("; ".join(s.name for s in c.cutover.stages) or "(none)"),
        "rollback triggers: "
        + ("; ".join(f"{t.condition} {t.threshold or ''}" for t in c.cutover.rollback_triggers) or "(none)"),
        "rollback procedure: " + (c.cutover.rollback_procedure or "(none)"),
        "training: " + ("; ".join(t.audience for t in c.training) or "(none)"),
        "hand-over: " + ("; ".join(h.document for h in c.handover) or "(none)"),
    ]
    text = "\n".join(" ".join(line.split()) for line in lines)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _fill_gaps(content: PlanContent, passages: Passages, ask: _Asker) -> list[OpenQuestion]:
    """Call 2: a rollback procedure when the documents give none (its quote checked), and open questions."""
    views = _windows(passages)
    needs_procedure = not content.cutover.rollback_procedure
    user = render_prompt(
        "plan_gaps_user",
        None,
        plan=summary(content),
        passages=format_passages(views, max_chars=PASSAGE_WINDOW) or "(none)",
        procedure_task=render_prompt("plan_gaps_procedure") if needs_procedure else "",
        max_questions=MAX_MODEL_QUESTIONS,
    )
    draft = ask(GapsDraft, user, GAPS_MAX_TOKENS)
    assert isinstance(draft, GapsDraft)
    if needs_procedure and draft.rollback_procedure and draft.rollback_procedure.strip():
        cutover = content.cutover
        cutover.rollback_procedure = draft.rollback_procedure.strip()
        cutover.rollback_procedure_proposed = True
        view = views[draft.passage - 1] if draft.passage and 1 <= draft.passage <= len(views) else None
        chunk = passages.by_id.get(view.chunk_id) if view else None
        evidence = cited(passages, chunk, draft.quote)
        cutover.evidence = [*cutover.evidence, *evidence]
        # A time limit counts only when the passage it came with is real; the model may not make one up.
        if evidence and draft.rollback_time_limit and not cutover.rollback_time_limit:
            limit = draft.rollback_time_limit.strip()
            if chunk is not None and limit and limit in passages.facts(chunk):
                cutover.rollback_time_limit = limit
    return [
        OpenQuestion(question=q.strip())
        for q in draft.open_questions[:MAX_MODEL_QUESTIONS]
        if q and q.strip()
    ]
