"""What of each retrieved passage the model reads: a token budget, spent on the sentences closest to the question.

On two cores the local model evaluates prompts at ~40-70 tokens/s, so every passage token costs the reader
time before the first word of the answer. A Chinese paragraph is ~1.5 characters a token, an English one ~4.5
(the packaged Qwen tokenizer on XQuAD, measured in docs/performance.md), so a character budget let Chinese
prompts grow to three times the tokens of English ones. The budget is in (estimated) tokens instead, and a
passage longer than its share shows its sentences closest to the question (embedding cosine, plus shared
words), in document order with "…" where text was left out. The full passage stays what citations are checked
against and what the reader is shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.language import HAN_RUN
from assistant.qa.citations import EmbedFn, content_tokens
from assistant.requirements.extract import split_sentences

# Qwen2.5's tokenizer, measured on XQuAD (bench/answers' corpus): 1.18 tokens per hanzi (with the punctuation
# around them) and 4.5 characters per token for everything else.
_TOKENS_PER_HANZI = 0.85
_CHARS_PER_OTHER_TOKEN = 4.5
GAP = " … "


def estimate_tokens(text: str) -> int:
    hanzi = sum(len(run) for run in HAN_RUN.findall(text))
    return round(hanzi * _TOKENS_PER_HANZI + (len(text) - hanzi) / _CHARS_PER_OTHER_TOKEN)


@dataclass(frozen=True)
class Budget:
    """``total``: passage tokens for the whole prompt; ``first``: the best-ranked passage's share (the answer is
    there most often); ``other``: each further passage's share; ``floor``: a passage that would get less than
    this is left out rather than shown as a fragment."""

    # 360/180/100 kept the gold answer in front of the model for every one of 120 XQuAD questions, as the old
    # 2,400-character budget did, with ~450 tokens to read instead of ~560 (English) and ~1,170 (Chinese);
    # 300/160/80 and 240/150/60 began to cut answers (bench.prompt_tokens, docs/performance.md).
    total: int = 360
    first: int = 180
    other: int = 100
    floor: int = 40


def _closest(sentences: list[str], question: str, embed: EmbedFn | None) -> np.ndarray:
    """Closeness of each sentence to the question: cosine of their vectors (across languages too) plus the
    share of the question's content words the sentence holds."""
    q_words = content_tokens(question)
    lexical = np.array(
        [len(q_words & content_tokens(s)) / len(q_words) if q_words else 0.0 for s in sentences],
        dtype=np.float32,
    )
    if embed is None:
        return lexical
    vectors = embed([question, *sentences])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1, norms)
    return vectors[1:] @ vectors[0] + lexical


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences line by line (a table row or a list item is one unit), by the requirement reader's rules."""
    return [span for line in re.finditer(r"[^\n]+", text) for span in split_sentences(text, *line.span())]


def focus(text: str, question: str, *, tokens: int, embed: EmbedFn | None = None) -> str:
    """``text`` itself when it fits ``tokens``; otherwise its sentences closest to ``question`` that fit, in
    their order and as written, "…" marking each cut."""
    if estimate_tokens(text) <= tokens:
        return text
    spans = _sentence_spans(text)
    if len(spans) <= 1:
        return _head(text, tokens)
    sentences = [text[a:b] for a, b in spans]
    scores = _closest(sentences, question, embed)
    chosen: list[int] = []
    used = 0
    for i in np.argsort(-scores, kind="stable"):
        cost = estimate_tokens(sentences[i]) + 1
        if used + cost > tokens:
            if not chosen:  # even the closest sentence is too long: show its head
                return _head(sentences[i], tokens)
            continue
        chosen.append(int(i))
        used += cost
    runs: list[list[int]] = []
    for i in sorted(chosen):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    pieces = [text[spans[run[0]][0] : spans[run[-1]][1]] for run in runs]
    lead = [""] if runs[0][0] > 0 else []
    tail = [""] if runs[-1][-1] < len(spans) - 1 else []
    return GAP.join([*lead, *pieces, *tail]).strip()


def _head(text: str, tokens: int) -> str:
    """The longest prefix of ``text`` within ``tokens``, cut at a word boundary where there is one."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate_tokens(text[:mid]) <= tokens:
            lo = mid
        else:
            hi = mid - 1
    head = text[:lo]
    space = head.rfind(" ")
    if lo < len(text) and not text[lo].isspace() and space > lo * 0.6:  # do not end inside a Latin word
        head = head[:space]
    return head.rstrip() + GAP.rstrip()


def fit(
    texts: Sequence[str], question: str, *, budget: Budget = Budget(), embed: EmbedFn | None = None
) -> list[str]:
    """The text each passage shows, best-ranked first, until the budget is spent: fewer passages rather than
    a prompt the model needs half a minute to read."""
    shown: list[str] = []
    left = budget.total
    for n, text in enumerate(texts):
        share = min(budget.first if n == 0 else budget.other, left)
        if share < budget.floor:
            break
        # A short passage spends only what it needs, which leaves room for one more after it.
        piece = focus(text, question, tokens=share, embed=embed)
        shown.append(piece)
        left -= estimate_tokens(piece)
    return shown
