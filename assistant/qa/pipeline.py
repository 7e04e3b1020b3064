"""Answer a question from retrieved passages, with every citation checked against its passage."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured
from assistant.providers.settings import StructuredMethod
from assistant.qa.citations import (
    EmbedFn,
    Support,
    check_support,
    content_tokens,
    split_claims,
    strip_markers,
)
from assistant.qa.models import AnswerPublic, Citation, ModelAnswer, PassageLike, PassagePublic, Timing
from assistant.text import question_language

REFUSALS = {
    "zh": "文档中没有找到这个问题的答案。以下是最接近的段落，供参考。",
    "en": "The documents do not answer this question. The closest passages are listed for reference.",
}
UNSUPPORTED_FLAG = {"zh": "（未经文档证实）", "en": " (not supported by the documents)"}
_TAG = re.compile(r"</?\s*passages?\b", re.IGNORECASE)


def format_passages(passages: Sequence[PassageLike], *, max_chars: int) -> str:
    """Numbered passages with their source; text that imitates our delimiters is defused."""
    blocks = []
    for n, p in enumerate(passages, 1):
        where = p.file_name + (f", p.{p.page}" if p.page else "") + (f", {p.section}" if p.section else "")
        text = _TAG.sub(lambda m: m.group(0).replace("<", "‹"), p.text[:max_chars])
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


def _with_budget(passages: Sequence[PassageLike], budget: int, per_passage: int) -> list[PassageLike]:
    """The small local model has a 4k context and reads ~70 tokens/s: keep the best passages that fit."""
    kept, used = [], 0
    for p in passages:
        cost = min(len(p.text), per_passage)
        if kept and used + cost > budget:
            break
        kept.append(p)
        used += cost
    return kept


def answer_question(
    question: str,
    *,
    llm: BaseChatModel,
    retrieve: Callable[[str], Sequence[PassageLike]],
    is_relevant: Callable[[Sequence[PassageLike]], bool],
    embed: EmbedFn | None = None,
    method: StructuredMethod = StructuredMethod.json_object,
    context_chars: int = 2400,
    passage_chars: int = 800,
    max_tokens: int = 320,
) -> AnswerPublic:
    started = time.perf_counter()
    language = question_language(question)
    retrieved = list(retrieve(question))
    retrieval_ms = _ms(started)

    def refuse(reason: str, generation_ms: int = 0) -> AnswerPublic:
        return AnswerPublic(
            answer=REFUSALS[language],
            refused=True,
            refusal_reason=reason,
            language=language,
            citations=[],
            citations_checked=0,
            citations_supported=0,
            passages=_public_passages(retrieved),
            timing=Timing(
                retrieval_ms=retrieval_ms,
                generation_ms=generation_ms,
                checking_ms=0,
                total_ms=_ms(started),
            ),
        )

    if not retrieved or not is_relevant(retrieved):
        return refuse("no_relevant_passages")
    passages = _with_budget(retrieved, context_chars, passage_chars)
    messages = [
        SystemMessage(render_prompt("qa_system", language)),
        HumanMessage(
            render_prompt(
                "qa_user",
                None,
                passages=format_passages(passages, max_chars=passage_chars),
                question=question,
            )
        ),
    ]
    if hasattr(llm, "max_tokens"):
        llm = llm.model_copy(update={"max_tokens": max_tokens})
    gen_started = time.perf_counter()
    reply = ask_structured(llm, ModelAnswer, messages, method=method)
    generation_ms = _ms(gen_started)
    if reply.not_found or not reply.answer.strip():
        return refuse("model_not_found", generation_ms)

    check_started = time.perf_counter()
    # A passage the relevance model would not answer from cannot back a claim either: the small model, given
    # one relevant passage, will still take its answer from an unrelated one beside it.
    usable = [is_relevant([p]) for p in passages]
    citations, unsupported, sentences, supported = _check_claims(
        reply.answer, question, passages, embed, language, usable
    )
    if not any(c.supported for c in citations):
        # Nothing the model said could be tied to a passage: refusing beats an uncheckable answer.
        out = refuse("no_supported_claims", generation_ms)
        out.unsupported_sentences = unsupported
        return out
    if restates_question(question, supported):
        # "X is abbreviated as X[1]": supported, because the passage names X, yet it says nothing new. The small
        # model writes such echoes when the passages lack the answer.
        return refuse("answer_restates_question", generation_ms)
    return AnswerPublic(
        answer="".join(sentences).strip(),
        refused=False,
        language=language,
        citations=citations,
        citations_checked=len(citations),
        citations_supported=sum(c.supported for c in citations),
        unsupported_sentences=unsupported,
        passages=_public_passages(passages),
        timing=Timing(
            retrieval_ms=retrieval_ms,
            generation_ms=generation_ms,
            checking_ms=_ms(check_started),
            total_ms=_ms(started),
        ),
    )


def restates_question(question: str, supported_sentences: Sequence[str]) -> bool:
    """True when no supported sentence holds a content word (or number) the question does not already hold."""
    asked = content_tokens(question)
    return not any(content_tokens(s) - asked for s in supported_sentences)


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
    support a claim. Citations are renumbered in order of first use.
    Returns the citations, the unsupported sentences, the answer's sentences and the supported ones."""

    def support_of(claim_text: str, n: int) -> Support:
        support = check_support(claim_text, passages[n - 1].text, embed=embed, question=question)
        return support if usable[n - 1] else replace(support, supported=False)

    by_chunk: dict[str, Citation] = {}
    unsupported: list[str] = []
    supported: list[str] = []
    sentences: list[str] = []
    for claim in split_claims(answer):
        if not claim.text:
            continue
        candidates = [n for n in claim.cited if 1 <= n <= len(passages)]
        checked = [(n, support_of(claim.text, n)) for n in candidates]
        if not any(s.supported for _, s in checked):
            # A missing or wrong number: credit the passage that does support the sentence, if any.
            best = max(
                ((n, support_of(claim.text, n)) for n in range(1, len(passages) + 1)),
                key=lambda x: (x[1].supported, x[1].overlap, x[1].similarity or 0.0),
            )
            if best[1].supported:
                checked.append(best)
        markers = []
        for n, support in checked:
            p = passages[n - 1]
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
            if support.supported:
                markers.append(f"[{cite.n}]")
        text = strip_markers(claim.raw).strip()
        end = re.search(r"[。！？；.!?;]+$", text)
        body, stop = (text[: end.start()], end.group(0)) if end else (text, "")
        if markers:
            supported.append(claim.text)
            sentences.append(
                body + "".join(dict.fromkeys(markers)) + stop + ("" if language == "zh" else " ")
            )
        else:
            unsupported.append(claim.text)
            sentences.append(body + UNSUPPORTED_FLAG[language] + stop + ("" if language == "zh" else " "))
    return list(by_chunk.values()), unsupported, sentences, supported


def _ms(since: float) -> int:
    return int((time.perf_counter() - since) * 1000)
