"""The cheap pass before the LLM: which passages use risk language (Chinese, English) and are worth a call.

A passage is the cue sentences of one chunk with a sentence of context on each side, cut to a character
budget, so the slow local model reads a few hundred characters instead of whole chunks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

# Strong cues name a risk or a problem outright; weak ones only hedge ("might", "可能"), so it takes two.
STRONG_WEIGHT, WEAK_WEIGHT = 2, 1

ZH_STRONG = (
    "风险", "隐患", "延期", "延误", "推迟", "滞后", "拖期", "来不及", "落后", "不兼容", "兼容性", "阻塞",
    "卡住", "担心", "担忧", "顾虑", "瓶颈", "尚未", "未确认", "待确认", "不确定", "无法", "等保", "合规",
    "密评", "离职", "流失", "人手不足", "短缺", "超支", "超预算", "依赖", "冲突", "故障", "数据质量", "重复",
    "返工", "未签约", "仍未", "问题", "变更", "重叠", "紧张", "缺少", "缺失", "失败", "隐私", "泄露", "停产",
    "停线",
)  # fmt: skip
ZH_WEAK = ("可能", "也许", "或许", "如果", "一旦", "假如", "万一", "待定", "暂未", "还没", "需要确认", "影响")

EN_STRONG = (
    r"risks?", r"risky", r"delay(?:s|ed)?", r"slip(?:s|ped|page)?", r"late", r"behind schedule", r"blockers?",
    r"block(?:ed|ing)", r"concerns?", r"concerned", r"worr(?:y|ied|ies)", r"dependenc(?:y|ies)",
    r"depend(?:s|ent)? on", r"incompatib\w*", r"compatibility", r"not yet", r"unconfirmed", r"not confirmed",
    r"to be (?:confirmed|clarified|defined|decided)", r"complian\w*", r"gdpr", r"shortages?", r"overrun",
    r"over budget", r"leaving", r"resign\w*", r"uncertain\w*", r"unclear", r"tbd", r"open issues?",
    r"issues?",
    r"impossible", r"not available", r"unavailable", r"bottlenecks?", r"cannot", r"can't", r"threats?",
    r"fail(?:s|ed|ure|ures)?", r"problems?", r"missing", r"lack(?:s|ing)?", r"conflicts?", r"duplicates?",
    r"rework", r"not (?:sufficient|possible|unique)", r"insufficient", r"no final", r"outstanding",
)  # fmt: skip
EN_WEAK = (
    r"might", r"may", r"could", r"possibl[ey]", r"perhaps", r"unless", r"whether", r"pending",
    r"wait(?:ing)?", r"question", r"depends", r"open", r"expected", r"deadline", r"resources?", r"commitment",
)  # fmt: skip


def _compile(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(words) + r")(?![A-Za-z])", re.IGNORECASE)


_EN_STRONG = _compile(EN_STRONG)
_EN_WEAK = _compile(EN_WEAK)
_ZH_STRONG = re.compile("|".join(map(re.escape, ZH_STRONG)))
_ZH_WEAK = re.compile("|".join(map(re.escape, ZH_WEAK)))
# Sentence ends: Chinese full stops and semicolons, English ones followed by space, and line breaks.
_SENTENCE_END = re.compile(r"[。！？；!?;]+|(?<=[a-z0-9\)\]])\.(?=\s)|\n+")
_SPACE = re.compile(r"\s+")


class ChunkLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def page(self) -> int | None: ...
    @property
    def section(self) -> str | None: ...


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    page: int | None
    section: str | None
    text: str
    score: int
    cues: tuple[str, ...]
    position: int

    @property
    def hash(self) -> str:
        return hashlib.sha256(normalize(self.text).encode("utf-8")).hexdigest()


def normalize(text: str) -> str:
    """For comparing quotes with passages: width, case and spacing differences do not count."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def cues_in(text: str) -> tuple[int, tuple[str, ...]]:
    """The cue score of a text (distinct cues, weighted) and the cues found."""
    found: dict[str, int] = {}
    for pattern, weight in ((_ZH_STRONG, STRONG_WEIGHT), (_EN_STRONG, STRONG_WEIGHT)):
        for m in pattern.finditer(text):
            found[m.group(0).lower()] = weight
    for pattern in (_ZH_WEAK, _EN_WEAK):
        for m in pattern.finditer(text):
            found.setdefault(m.group(0).lower(), WEAK_WEIGHT)
    return sum(found.values()), tuple(found)


def sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start : m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _window(parts: list[str], hits: list[int], max_chars: int) -> str:
    """Cue sentences with one neighbour each side while they fit in ``max_chars``; gaps are marked."""
    keep: set[int] = set()
    used = 0
    for i in hits:  # the cue sentences themselves first, strongest passages are short anyway
        if used + len(parts[i]) > max_chars and keep:
            break
        keep.add(i)
        used += len(parts[i]) + 1
    for i in sorted(keep):
        for j in (i - 1, i + 1):
            if 0 <= j < len(parts) and j not in keep and used + len(parts[j]) <= max_chars:
                keep.add(j)
                used += len(parts[j]) + 1
    pieces, last = [], None
    for i in sorted(keep):
        if last is not None and i != last + 1:
            pieces.append("…")
        pieces.append(parts[i][:max_chars])
        last = i
    return " ".join(pieces)


def select_passages(
    chunks: Iterable[ChunkLike], *, max_chars: int = 360, min_score: int = 2
) -> tuple[int, list[Passage]]:
    """(chunks read, passages with enough risk language), in document order; a sentence repeated by chunk
    overlap is used once."""
    seen_sentences: set[str] = set()
    out: list[Passage] = []
    count = 0
    for position, chunk in enumerate(chunks):
        count += 1
        parts = sentences(chunk.text)
        hits: list[int] = []
        cues: list[str] = []
        total = 0
        for i, sentence in enumerate(parts):
            key = normalize(sentence)
            if key in seen_sentences:
                continue
            seen_sentences.add(key)
            sentence_score, found = cues_in(sentence)
            if sentence_score:
                hits.append(i)
                cues.extend(c for c in found if c not in cues)
                total += sentence_score
        # Scored per chunk: two weak hedges in one passage are worth a look, one alone is not.
        score, _ = cues_in(" ".join(parts[i] for i in hits))
        if score < min_score:
            continue
        hits.sort(key=lambda i: -cues_in(parts[i])[0])
        out.append(
            Passage(
                chunk_id=chunk.id,
                page=chunk.page,
                section=chunk.section,
                text=_window(parts, hits, max_chars),
                score=score,
                cues=tuple(cues),
                position=position,
            )
        )
    return count, out


def cap_passages(passages: list[Passage], limit: int) -> list[Passage]:
    """The ``limit`` strongest passages, back in document order."""
    if len(passages) <= limit:
        return passages
    strongest = sorted(passages, key=lambda p: (-p.score, p.position))[:limit]
    return sorted(strongest, key=lambda p: p.position)
