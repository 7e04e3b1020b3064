"""5-Why analysis: the model proposes the chain, the documents decide which links are evidence and which
are assumptions, and the rule checks score the restated requirements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.five_why.schemas import (
    DraftWhy,
    FiveWhyDraft,
    RestatedRequirement,
    WhyCitation,
    WhyStep,
)
from assistant.language import question_language
from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured, with_output_cap
from assistant.providers.settings import StructuredMethod
from assistant.providers.streaming import stream_structured
from assistant.qa.citations import EmbedFn, check_support
from assistant.qa.focus import Budget, fit
from assistant.qa.models import PassageLike
from assistant.qa.orders import without_orders
from assistant.qa.pipeline import format_passages
from assistant.requirements import check_statement

MAX_ROUNDS = 5
# What an analysis stores besides its statement (FiveWhyOutcome.as_result): the CLI prints these as JSON.
RESULT_FIELDS = (
    "whys",
    "stop_reason",
    "root_need",
    "requirements",
    "solutions",
    "open_questions",
    "confidence",
)


class FiveWhyOutcome:
    def __init__(
        self,
        *,
        language: str,
        whys: list[WhyStep],
        stop_reason: str | None,
        root_need: str,
        requirements: list[RestatedRequirement],
        solutions: list[str],
        open_questions: list[str],
        confidence: float,
    ) -> None:
        self.language = language
        self.whys = whys
        self.stop_reason = stop_reason
        self.root_need = root_need
        self.requirements = requirements
        self.solutions = solutions
        self.open_questions = open_questions
        self.confidence = confidence

    def as_result(self) -> dict:
        return {
            "whys": [w.model_dump() for w in self.whys],
            "stop_reason": self.stop_reason,
            "root_need": self.root_need,
            "requirements": [r.model_dump() for r in self.requirements],
            "solutions": self.solutions,
            "open_questions": self.open_questions,
            "confidence": self.confidence,
        }


# Breadth over depth: each "because" may come from another passage, so the shares are even. ~480 tokens of
# passages instead of up to ~2,000 (five Chinese passages of 600 characters).
FIVE_WHY_BUDGET = Budget(total=480, first=140, other=110)


def run_five_why(
    statement: str,
    *,
    context: str | None,
    llm: BaseChatModel,
    retrieve: Callable[[str], Sequence[PassageLike]],
    embed: EmbedFn | None = None,
    method: StructuredMethod = StructuredMethod.json_object,
    budget: Budget = FIVE_WHY_BUDGET,
    max_passages: int = 5,
    max_tokens: int = 900,
    on_why: Callable[[int, str, str], None] | None = None,
) -> FiveWhyOutcome:
    """``on_why(n, question, answer)`` hears each round as soon as the model has written it (before it is
    checked against the passages)."""
    language = question_language(statement)
    query = statement if not context else f"{statement}\n{context}"
    retrieved = list(retrieve(query))[:max_passages]
    shown = fit([p.text for p in retrieved], query, budget=budget, embed=embed)
    passages = retrieved[: len(shown)]
    messages = [
        SystemMessage(render_prompt("five_why", language)),
        HumanMessage(
            render_prompt(
                "five_why_user",
                None,
                passages=format_passages(passages, texts=shown) or "(none)",
                statement=statement,
                context=context or "-",
            )
        ),
    ]
    llm = with_output_cap(llm, max_tokens)
    if on_why is None:
        draft = ask_structured(llm, FiveWhyDraft, messages, method=method)
    else:
        draft = stream_structured(
            llm, FiveWhyDraft, messages, on_partial=_rounds_as_written(on_why), method=method
        )
    whys = [_ground(w, passages, embed) for w in draft.whys[:MAX_ROUNDS] if w.answer.strip()]
    stop_reason = draft.stop_reason
    if len(draft.whys) > MAX_ROUNDS:
        stop_reason = stop_reason or f"limited to {MAX_ROUNDS} rounds"
    elif len(whys) < MAX_ROUNDS and not stop_reason:
        stop_reason = (
            "模型在此处到达业务目标，未说明原因"
            if language == "zh"
            else "the model stopped here without giving a reason"
        )
    requirements = []
    for req in draft.requirements[:3]:
        if not req.statement.strip():
            continue
        checked = check_statement(req.statement)
        requirements.append(
            RestatedRequirement(
                text=req.statement.strip(),
                acceptance_criteria=[c for c in req.acceptance_criteria if c.strip()]
                or checked.acceptance_criteria,
                score=checked.score,
                findings=checked.findings,
            )
        )
    return FiveWhyOutcome(
        language=language,
        whys=whys,
        stop_reason=stop_reason,
        root_need=draft.root_need.strip(),
        requirements=requirements,
        solutions=[s for s in draft.solutions if s.strip()][:5],
        open_questions=[q for q in draft.open_questions if q.strip()][:8],
        confidence=confidence(whys, requirements),
    )


def _rounds_as_written(on_why: Callable[[int, str, str], None]) -> Callable[[object], None]:
    """Turns the growing JSON of the draft into rounds, each told once: a round is done when the next one has
    begun or the model has moved on past the list."""
    told = 0

    def see(so_far: object) -> None:
        nonlocal told
        if not isinstance(so_far, dict) or not isinstance(so_far.get("whys"), list):
            return
        whys = so_far["whys"]
        past_list = len(so_far) > 1  # stop_reason, root_need ... come after the list in the schema's order
        done = len(whys) if past_list else len(whys) - 1
        while told < min(done, MAX_ROUNDS):
            why = whys[told] if isinstance(whys[told], dict) else {}
            told += 1
            if str(why.get("answer", "")).strip():
                on_why(told, str(why.get("question", "")), str(why.get("answer", "")))

    return see


def _ground(why: DraftWhy, passages: Sequence[PassageLike], embed: EmbedFn | None) -> WhyStep:
    """A 'because' counts as evidence only if its passage supports it; otherwise it is an assumption. Orders a
    passage gives the assistant (assistant/qa/orders.py) support nothing."""
    citations: list[WhyCitation] = []
    if why.passage is not None and 1 <= why.passage <= len(passages):
        p = passages[why.passage - 1]
        facts = without_orders(p.text)
        support = check_support(why.answer, facts, embed=embed)
        if not facts:
            support = replace(support, supported=False)
        citations.append(
            WhyCitation(
                document_id=p.document_id,
                file_name=p.file_name,
                page=p.page,
                section=p.section,
                quote=support.quote,
                supported=support.supported,
            )
        )
    return WhyStep(
        question=why.question.strip(),
        answer=why.answer.strip(),
        citations=citations,
        assumption=not any(c.supported for c in citations),
    )


def confidence(whys: list[WhyStep], requirements: list[RestatedRequirement]) -> float:
    """Evidence carries most of it: a chain of assumptions is a hypothesis, however fluent."""
    if not whys:
        return 0.0
    backed = sum(not w.assumption for w in whys) / len(whys)
    quality = sum(r.score for r in requirements) / (100 * len(requirements)) if requirements else 0.0
    return round(0.15 + 0.6 * backed + 0.25 * quality, 2) if backed else round(0.1 + 0.2 * quality, 2)
