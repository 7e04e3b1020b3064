"""Checking that each cited passage supports the sentence that cites it.

A claim is supported when every number in it occurs in the passage and either enough of its content words do
or its embedding is close to one of the passage's sentences: across languages, where words cannot match, or
for a claim long enough to be paraphrased.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.language import question_language
from assistant.text import tokenize

_MARKER = re.compile(r"\s*\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)\s+|\n+")
_NUMBER = re.compile(r"\d+(?:[.:：/-]\d+)*")
# Passage sentences: the same boundaries the splitter uses, kept short enough to quote.
_PASSAGE_SENT = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?|[^\n]+")

EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Claim:
    text: str  # the sentence without its markers
    raw: str  # the sentence as the model wrote it
    cited: list[int]


@dataclass
class Support:
    supported: bool
    quote: str
    overlap: float
    similarity: float | None


def split_claims(answer: str) -> list[Claim]:
    claims = []
    for raw in _SENTENCE_END.split(answer):
        if not raw or not raw.strip():
            continue
        cited = [int(n) for m in _MARKER.finditer(raw) for n in re.split(r"[,，、]", m.group(1))]
        text = _MARKER.sub("", raw).strip()
        if text or cited:
            claims.append(Claim(text=text, raw=raw, cited=cited))
    return claims


def content_tokens(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) > 1 or not t.isascii()}


def passage_sentences(passage: str) -> list[str]:
    return [s.strip() for s in _PASSAGE_SENT.findall(passage) if s.strip()]


def check_support(
    claim: str,
    passage: str,
    *,
    embed: EmbedFn | None = None,
    min_overlap: float = 0.5,
    min_similarity: float = 0.55,
    short_claim_tokens: int = 4,
    question: str | None = None,
    min_new_words: float = 0.75,
) -> Support:
    """Words first; the embedding only across languages, or for a claim of ``short_claim_tokens`` content words
    or more. A short claim in the passage's language is a name, a figure or a date, and a passage that does not
    contain it does not support it however close its topic ("Brazil" against a paragraph on the Amazon).

    Given the ``question``, the claim's new words (those the question does not hold: the answer) must be in the
    passage too, ``min_new_words`` of them, in the same language: a neighbouring paragraph shares the
    question's words and so passes the plain overlap test while lacking the answer."""
    sentences = passage_sentences(passage) or [passage]
    claim_tokens = content_tokens(claim)
    numbers = set(_NUMBER.findall(claim))
    passage_flat = re.sub(r"\s+", "", passage)
    numbers_ok = all(n in passage_flat for n in numbers)
    passage_tokens = content_tokens(passage)
    overlap = len(claim_tokens & passage_tokens) / len(claim_tokens) if claim_tokens else 0.0
    best = max(sentences, key=lambda s: len(claim_tokens & content_tokens(s)))
    similarity = None
    if embed is not None and sentences:
        vectors = embed([claim, *sentences])
        sims = vectors[1:] @ vectors[0]
        similarity = float(sims.max())
        if overlap < min_overlap:
            best = sentences[int(sims.argmax())]
    cross = question_language(claim) != question_language(passage)
    by_meaning = similarity is not None and similarity >= min_similarity
    new_words = claim_tokens - content_tokens(question) if question else set()
    answer_ok = cross or not new_words or len(new_words & passage_tokens) / len(new_words) >= min_new_words
    supported = (
        numbers_ok
        and answer_ok
        and (overlap >= min_overlap or (by_meaning and (cross or len(claim_tokens) >= short_claim_tokens)))
    )
    return Support(supported=supported, quote=best[:400], overlap=overlap, similarity=similarity)


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)
