"""Answer a question from retrieved passages, with every citation checked against its passage."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.language import question_language
from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured, with_output_cap
from assistant.providers.settings import StructuredMethod
from assistant.providers.streaming import stream_structured
from assistant.qa.citations import (
    EmbedFn,
    Support,
    check_support,
    content_tokens,
    split_claims,
    strip_markers,
)
from assistant.qa.focus import Budget, fit
from assistant.qa.models import AnswerPublic, Citation, ModelAnswer, PassageLike, PassagePublic, Timing
from assistant.qa.orders import without_orders
from assistant.qa.specifics import Evidence, Specific, missing_specifics

REFUSALS = {
    "zh": "文档中没有找到这个问题的答案。以下是最接近的段落，供参考。",
    "en": "The documents do not answer this question. The closest passages are listed for reference.",
}
# When the passages that hold the answer lack a year, date, id or name the question insists on: the refusal
# says what is missing, so that the reader sees why the closest passage (another year, another person) is not
# the answer.
SPECIFICS_REFUSALS = {
    "zh": "文档中没有找到这个问题的答案：能作答的段落都没有提到{missing}。以下是最接近的段落，供参考。",
    "en": "The documents do not answer this question: no passage that holds an answer mentions {missing}. "
    "The closest passages are listed for reference.",
}
UNSUPPORTED_FLAG = {"zh": "（未经文档证实）", "en": " (not supported by the documents)"}
_TAG = re.compile(r"</?\s*passages?\b", re.IGNORECASE)


def format_passages(
    passages: Sequence[PassageLike], *, max_chars: int | None = None, texts: Sequence[str] | None = None
) -> str:
    """Numbered passages with their source; text that imitates our delimiters is defused. ``texts``: what each
    passage shows instead of its whole text (see assistant/qa/focus.py); else its first ``max_chars``."""
    blocks = []
    for n, p in enumerate(passages, 1):
        where = p.file_name + (f", p.{p.page}" if p.page else "") + (f", {p.section}" if p.section else "")
        shown = texts[n - 1] if texts is not None else p.text[:max_chars]
        text = _TAG.sub(lambda m: m.group(0).replace("<", "‹"), shown)
        blocks.append(f'<passage n="{n}" source="{where}">\n{text}\n</passage>')
    return "\n".join(blocks)


def _public_passages(passages: Sequence[PassageLike]) -> list[PassagePublic]:
    return [
        PassagePublic(
            n=n,
            chunk_id=p.chunk_id,
            document_id=p.document_id,
            file_name=p.file_name,
            page=p.page,
            section=p.section,
            text=p.text,
            score=p.score,
        )
        for n, p in enumerate(passages, 1)
    ]


# The passages retrieve() returns are the ones is_relevant() judges (search results in the product).
P = TypeVar("P", bound=PassageLike)


def answer_question(
    question: str,
    *,
    llm: BaseChatModel,
    retrieve: Callable[[str], Sequence[P]],
    is_relevant: Callable[[Sequence[P]], bool],
    embed: EmbedFn | None = None,
    method: StructuredMethod = StructuredMethod.json_object,
    budget: Budget = Budget(),
    max_tokens: int = 320,
    on_token: Callable[[str], None] | None = None,
) -> AnswerPublic:
    """``on_token``: hears the answer's text as the model writes it (before its citations are checked)."""
    clock = _Clock(started=time.perf_counter())
    language = question_language(question)
    retrieved = list(retrieve(question))
    clock.retrieval_ms = _ms(clock.started)
    if not retrieved or not is_relevant(retrieved):
        return _refusal("no_relevant_passages", language, retrieved, clock)
    shown = fit([p.text for p in retrieved], question, budget=budget, embed=embed)
    passages = retrieved[: len(shown)]
    messages = _messages(question, language, passages, shown)
    reply, clock.generation_ms = _generate(
        llm, messages, method=method, max_tokens=max_tokens, on_token=on_token
    )
    if reply.not_found or not reply.answer.strip():
        return _refusal("model_not_found", language, retrieved, clock)
    return _checked_answer(reply.answer, question, language, passages, retrieved, clock, is_relevant, embed)


@dataclass
class _Clock:
    """The phases' durations so far; every answer's total counts from the start of retrieval."""

    started: float
    retrieval_ms: int = 0
    generation_ms: int = 0

    def timing(self, checking_ms: int = 0) -> Timing:
        return Timing(
            retrieval_ms=self.retrieval_ms,
            generation_ms=self.generation_ms,
            checking_ms=checking_ms,
            total_ms=_ms(self.started),
        )


def _refusal(
    reason: str,
    language: str,
    retrieved: Sequence[PassageLike],
    clock: _Clock,
    unsupported: list[str] | None = None,
    answer: str | None = None,
) -> AnswerPublic:
    """The refusal text (the fixed one unless ``answer`` says more), with every retrieved passage (not only
    those that fit the budget) for reference."""
    out = AnswerPublic(
        answer=answer or REFUSALS[language],
        refused=True,
        refusal_reason=reason,
        language=language,
        citations=[],
        citations_checked=0,
        citations_supported=0,
        passages=_public_passages(retrieved),
        timing=clock.timing(),
    )
    if unsupported is not None:
        out.unsupported_sentences = unsupported
    return out


def _messages(
    question: str, language: str, passages: Sequence[PassageLike], shown: Sequence[str]
) -> list[BaseMessage]:
    return [
        SystemMessage(render_prompt("qa_system", language)),
        HumanMessage(
            render_prompt(
                "qa_user",
                None,
                passages=format_passages(passages, texts=shown),
                question=question,
            )
        ),
    ]


def _generate(
    llm: BaseChatModel,
    messages: list[BaseMessage],
    *,
    method: StructuredMethod,
    max_tokens: int,
    on_token: Callable[[str], None] | None,
) -> tuple[ModelAnswer, int]:
    """The model's structured reply and the milliseconds the call took."""
    llm = with_output_cap(llm, max_tokens)
    started = time.perf_counter()
    if on_token is None:
        reply = ask_structured(llm, ModelAnswer, messages, method=method)
    else:
        reply = stream_structured(llm, ModelAnswer, messages, field="answer", on_text=on_token, method=method)
    return reply, _ms(started)


def _checked_answer(
    answer: str,
    question: str,
    language: str,
    passages: Sequence[P],
    retrieved: Sequence[P],
    clock: _Clock,
    is_relevant: Callable[[Sequence[P]], bool],
    embed: EmbedFn | None,
) -> AnswerPublic:
    """The model's answer with its citations checked, or a refusal when nothing in it holds."""
    check_started = time.perf_counter()
    # A passage the relevance model would not answer from cannot back a claim either: the small model, given
    # one relevant passage, will still take its answer from an unrelated one beside it.
    usable = [is_relevant([p]) for p in passages]
    citations, unsupported, sentences, supported = _check_claims(
        answer, question, passages, embed, language, usable
    )
    if not any(c.supported for c in citations):
        # Nothing the model said could be tied to a passage: refusing beats an uncheckable answer.
        return _refusal("no_supported_claims", language, retrieved, clock, unsupported)
    if restates_question(question, supported):
        # "X is abbreviated as X[1]": supported, because the passage names X, yet it says nothing new. The small
        # model writes such echoes when the passages lack the answer.
        return _refusal("answer_restates_question", language, retrieved, clock)
    missing = missing_specifics(question, _supporting_evidence(passages, citations))
    if missing:
        # The answer holds, but in a passage about another year, date, id or person than the question's: the
        # near miss the small model answers from rather than saying the documents do not tell.
        text = _specifics_refusal(missing, language)
        return _refusal("question_specifics_missing", language, retrieved, clock, answer=text)
    return AnswerPublic(
        answer="".join(sentences).strip(),
        refused=False,
        language=language,
        citations=citations,
        citations_checked=len(citations),
        citations_supported=sum(c.supported for c in citations),
        unsupported_sentences=unsupported,
        passages=_public_passages(passages),
        timing=clock.timing(checking_ms=_ms(check_started)),
    )


def _supporting_evidence(passages: Sequence[PassageLike], citations: Sequence[Citation]) -> list[Evidence]:
    """The passages a supported citation points to, each with its file name and section (the model reads
    them too, and a file name often carries the date)."""
    cited = {c.chunk_id for c in citations if c.supported}
    return [
        Evidence(p.text, " ".join(x for x in (p.file_name, p.section) if x))
        for p in passages
        if p.chunk_id in cited
    ]


def _specifics_refusal(missing: Sequence[Specific], language: str) -> str:
    if language == "zh":
        named = "、".join(f"“{s.text}”" for s in missing)
    else:
        named = " or ".join(f'"{s.text}"' for s in missing)
    return SPECIFICS_REFUSALS[language].format(missing=named)


def restates_question(question: str, supported_sentences: Sequence[str]) -> bool:
    """True when no supported sentence holds a content word (or number) the question does not already hold."""
    asked = content_tokens(question)
    return not any(content_tokens(s) - asked for s in supported_sentences)


SupportOf = Callable[[str, int], Support]


def _check_claims(
    answer: str,
    question: str,
    passages: Sequence[PassageLike],
    embed: EmbedFn | None,
    language: str,
    usable: Sequence[bool],
) -> tuple[list[Citation], list[str], list[str], list[str]]:
    """Check each cited passage; give an uncited sentence the passage that supports it, if one does;
    flag a sentence none of whose citations hold. Only a ``usable`` passage (relevant to the question) can
    support a claim, and only with its text less any orders it gives the assistant (orders.py): an answer must
    not state a document's orders as facts. Citations are renumbered in order of first use.
    Returns the citations, the unsupported sentences, the answer's sentences and the supported ones."""
    facts = [without_orders(p.text) for p in passages]

    def support_of(claim_text: str, n: int) -> Support:
        if not facts[n - 1]:
            return Support(supported=False, quote="", overlap=0.0, similarity=None)
        support = check_support(claim_text, facts[n - 1], embed=embed, question=question)
        return support if usable[n - 1] else replace(support, supported=False)

    by_chunk: dict[str, Citation] = {}
    unsupported: list[str] = []
    supported: list[str] = []
    sentences: list[str] = []
    for claim in split_claims(answer):
        if not claim.text:
            continue
        markers = []
        for n, support in _claim_support(claim.text, claim.cited, len(passages), support_of):
            cite = _cite(by_chunk, passages[n - 1], support)
            if support.supported:
                markers.append(f"[{cite.n}]")
        sentences.append(_marked_sentence(claim.raw, markers, language))
        (supported if markers else unsupported).append(claim.text)
    return list(by_chunk.values()), unsupported, sentences, supported


def _claim_support(
    text: str, cited: Sequence[int], passage_count: int, support_of: SupportOf
) -> list[tuple[int, Support]]:
    """The claim's own citations, checked; when none holds, the passage that supports it best, if one does."""
    checked = [(n, support_of(text, n)) for n in cited if 1 <= n <= passage_count]
    if not any(s.supported for _, s in checked):
        # A missing or wrong number: credit the passage that does support the sentence, if any.
        best = max(
            ((n, support_of(text, n)) for n in range(1, passage_count + 1)),
            key=lambda x: (x[1].supported, x[1].overlap, x[1].similarity or 0.0),
        )
        if best[1].supported:
            checked.append(best)
    return checked


def _cite(by_chunk: dict[str, Citation], p: PassageLike, support: Support) -> Citation:
    """The passage's citation, numbered on first use; one supported use makes it supported."""
    cite = by_chunk.get(p.chunk_id)
    if cite is None:
        cite = Citation(
            n=len(by_chunk) + 1,
            document_id=p.document_id,
            file_name=p.file_name,
            page=p.page,
            section=p.section,
            quote=support.quote,
            supported=support.supported,
            chunk_id=p.chunk_id,
        )
        by_chunk[p.chunk_id] = cite
    else:
        cite.supported = cite.supported or support.supported
    return cite


def _marked_sentence(raw: str, markers: list[str], language: str) -> str:
    """The sentence with the model's markers replaced by the checked ones (or the unsupported flag), placed
    before its closing punctuation."""
    text = strip_markers(raw).strip()
    end = re.search(r"[。！？；.!?;]+$", text)
    body, stop = (text[: end.start()], end.group(0)) if end else (text, "")
    mark = "".join(dict.fromkeys(markers)) if markers else UNSUPPORTED_FLAG[language]
    return body + mark + stop + ("" if language == "zh" else " ")


def _ms(since: float) -> int:
    return int((time.perf_counter() - since) * 1000)
