"""Duplicates and contradictions across the requirements of one document.

Statements are compared on content tokens (English words, Chinese character bigrams); numbers are pulled out
with their comparator and unit so that "≤ 2 s" and "at least 5 s" on the same subject can be seen to clash.
Only candidate pairs are compared, never every pair: ``candidates.py`` chooses them under one budget.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.language import HAN_RUN, REQUIREMENT_STOP_HANZI, REQUIREMENT_STOPWORDS
from assistant.vectors import unit_rows

from .candidates import (
    BUDGET,
    PairBudget,
    identical_groups,
    token_candidates,
    unique_pairs,
    vector_candidates,
)
from .models import (
    ConsistencySummary,
    Contradiction,
    DuplicateGroup,
    DuplicatePair,
    RequirementStatement,
)

Statement = str | RequirementStatement
Embed = Callable[[Sequence[str]], np.ndarray]

_LEADING_ID = re.compile(
    r"^\s*(?:\[[^\]]{1,20}\]|【[^】]{1,20}】|"
    r"[A-Z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*[-_ ]?\d[\d.]*)\s*[:：)]?\s+"
)
_EN_WORD = re.compile(r"[a-z][a-z0-9\-]*|\d+(?:\.\d+)?")


def _text(s: Statement) -> str:
    return s.text if isinstance(s, RequirementStatement) else s


def normalise(text: str) -> str:
    """Identity key: NFKC, lower case, no id prefix, no punctuation or spaces."""
    t = unicodedata.normalize("NFKC", _LEADING_ID.sub("", text)).lower()
    return "".join(ch for ch in t if ch.isalnum())


def tokens(text: str) -> set[str]:
    t = unicodedata.normalize("NFKC", _LEADING_ID.sub("", text)).lower()
    out: set[str] = set()
    for w in _EN_WORD.findall(t):
        if w not in REQUIREMENT_STOPWORDS:
            out.add(_stem(w))
    for run in HAN_RUN.findall(t):
        chars = [c for c in run]
        for a, b in zip(chars, chars[1:], strict=False):
            if a not in REQUIREMENT_STOP_HANZI or b not in REQUIREMENT_STOP_HANZI:
                out.add(a + b)
        if len(chars) == 1 and chars[0] not in REQUIREMENT_STOP_HANZI:
            out.add(chars[0])
    return out


def _stem(w: str) -> str:
    for suffix in ("ies", "es", "s"):
        if w.endswith(suffix) and len(w) > len(suffix) + 2 and not w.endswith("ss"):
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def overlap(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


# ---------------------------------------------------------------------------------------------- duplicates

# How close two statements must be to say the same thing: the share of content tokens they have in common
# (Jaccard), or the cosine of their vectors from the index's embedder.
JACCARD_THRESHOLD = 0.6
COSINE_THRESHOLD = 0.92
# Two statements are on the same subject when they share MIN_SHARED content tokens (figures aside) and
# SUBJECT_OVERLAP of the smaller one's; only then can their figures, timing or polarity contradict.
SUBJECT_OVERLAP = 0.4
MIN_SHARED = 2


@dataclass
class Consistency:
    """Duplicates (strongest first) and contradictions (in statement order), each list at most
    ``budget.max_listed`` long; the groups of identical statements; and what the check covered."""

    duplicates: list[DuplicatePair]
    contradictions: list[Contradiction]
    duplicate_groups: list[DuplicateGroup]
    summary: ConsistencySummary


def check_consistency(
    statements: Sequence[Statement],
    embed: Embed | None = None,
    *,
    duplicates: bool = True,
    contradictions: bool = True,
    jaccard_threshold: float = JACCARD_THRESHOLD,
    cosine_threshold: float = COSINE_THRESHOLD,
    subject_overlap: float = SUBJECT_OVERLAP,
    min_shared: int = MIN_SHARED,
    budget: PairBudget = BUDGET,
) -> Consistency:
    """Duplicates and contradictions among ``statements``, comparing candidate pairs only (``candidates.py``):
    near-linear in the number of statements and within ``budget`` whatever the input. Identical statements
    form one group and are compared through their first member; ``embed`` (the index's embedder) also finds
    duplicates worded differently."""
    texts = [_text(s) for s in statements]
    groups = identical_groups([normalise(t) for t in texts])
    firsts = [g[0] for g in groups]  # ascending: groups are in order of first appearance
    distinct = [texts[i] for i in firsts]
    words = [frozenset(tokens(t)) for t in distinct]
    notes: list[str] = []

    # Findings are counted in full but made into objects only as far as they are listed: a budget's worth
    # of pairs can all be findings, and a million pydantic objects would take a gigabyte.
    dups: list[DuplicatePair] = []
    dups_found = compared = dropped = 0
    capped = np.zeros(len(distinct), dtype=bool)
    approximate = False
    if duplicates:
        near, stats = _near_duplicates(
            distinct, words, embed, jaccard_threshold, cosine_threshold, budget, later=int(contradictions)
        )
        dups, dups_found = _list_duplicates(groups, near, distinct, words, budget.max_listed)
        compared, dropped, approximate = stats.compared, stats.dropped, stats.approximate
        capped |= stats.capped
    found: list[Contradiction] = []
    clashes_found = 0
    if contradictions:
        clashes, clashes_found, stats = _contradictions(
            distinct, words, subject_overlap, min_shared, budget, room=budget.max_pairs - compared
        )
        found = [c.model_copy(update={"a": firsts[c.a], "b": firsts[c.b]}) for c in clashes]
        compared += stats.compared
        dropped += stats.dropped
        capped |= stats.capped
    if dropped:
        notes.append(
            f"The budget of {budget.max_pairs:,} compared pairs was reached: {dropped:,} candidate pairs of "
            "the last statements were not compared."
        )

    repeated = len(texts) - len(groups)
    if repeated:
        notes.insert(
            0,
            f"{repeated:,} statements repeat an earlier one word for word (ids, case and punctuation aside): "
            "each set of identical statements is one entry of duplicate_groups and was compared with the "
            "others once, through its first statement.",
        )
    if approximate:
        notes.append(
            f"Duplicates worded differently were looked for among each statement's nearest neighbours "
            f"({budget.trees} random-projection trees over the statement vectors), not in all "
            f"{len(distinct):,} x {len(distinct):,} pairs."
        )
    if capped.any():
        notes.append(
            f"{int(capped.sum()):,} statements share words or meaning with more statements than the budget "
            f"allows ({budget.max_pairs:,} compared pairs in all): each was compared only with its closest "
            "candidates."
        )
    for kind, count in (("duplicate", dups_found), ("contradiction", clashes_found)):
        if count > budget.max_listed:
            notes.append(f"{count:,} {kind} pairs were found; the first {budget.max_listed:,} are listed.")
    summary = ConsistencySummary(
        statements=len(texts),
        distinct=len(groups),
        pairs_compared=compared,
        duplicates_found=dups_found,
        contradictions_found=clashes_found,
        complete=not (
            approximate or capped.any() or dropped or max(dups_found, clashes_found) > budget.max_listed
        ),
        notes=notes,
    )
    return Consistency(
        duplicates=dups,
        contradictions=found,
        duplicate_groups=[DuplicateGroup(members=g) for g in groups if len(g) > 1],
        summary=summary,
    )


def find_duplicates(
    statements: Sequence[Statement],
    embed: Embed | None = None,
    *,
    jaccard_threshold: float = JACCARD_THRESHOLD,
    cosine_threshold: float = COSINE_THRESHOLD,
    budget: PairBudget = BUDGET,
) -> list[DuplicatePair]:
    """Pairs (a < b) saying the same thing: identical once normalised (each later copy paired with the first),
    or close in tokens or embedding; strongest first, at most ``budget.max_listed``."""
    return check_consistency(
        statements,
        embed,
        contradictions=False,
        jaccard_threshold=jaccard_threshold,
        cosine_threshold=cosine_threshold,
        budget=budget,
    ).duplicates


def _near_duplicates(
    texts: list[str],
    words: list[frozenset[str]],
    embed: Embed | None,
    jaccard_threshold: float,
    cosine_threshold: float,
    budget: PairBudget,
    *,
    later: int,
) -> tuple[_Near, _Coverage]:
    """Pairs of distinct statements close in tokens or embedding, and how far the search went. Each source of
    candidates takes its share of the pairs the budget has left, ``later`` sources still to come."""
    n = len(texts)
    if n < 2:
        return _Near.none(), _Coverage(np.zeros(n, dtype=bool))
    vecs = None
    approximate = False
    room = budget.max_pairs
    a, b = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    capped = np.zeros(n, dtype=bool)
    if embed is not None:
        vecs = unit_rows(embed(texts))
        by_meaning, approximate = vector_candidates(
            vecs, cosine_threshold, partners=budget.partners(n, 2 + later, room), budget=budget
        )
        a, b, capped = by_meaning.a, by_meaning.b, by_meaning.capped
        room -= len(by_meaning)
    # Jaccard >= t needs the smaller statement to share ceil(t * its size) tokens with a partner at most
    # 1/t times its size.
    by_words = token_candidates(
        words,
        lambda size: max(1, math.ceil(jaccard_threshold * size - 1e-9)),
        partners=budget.partners(n, 1 + later, room),
        scan=budget.scan(n),
        max_ratio=1 / jaccard_threshold if jaccard_threshold > 0 else None,
    )
    a, b = unique_pairs([a, by_words.a], [b, by_words.b])
    capped |= by_words.capped
    total = len(a)
    a, b = a[: budget.max_pairs], b[: budget.max_pairs]
    cosines = _cosines(vecs, a, b) if vecs is not None else None
    near = _Near(a, b, np.zeros(len(a)), np.zeros(len(a)), np.zeros(len(a), dtype=np.int8))
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        jac = jaccard(words[i], words[j])
        if jac >= jaccard_threshold:
            near.value[k], near.score[k], near.method[k] = jac, round(jac, 3), _JACCARD
        elif cosines is not None and cosines[k] >= cosine_threshold:
            cos = float(cosines[k])
            near.value[k], near.score[k], near.method[k] = cos, round(cos, 3), _COSINE
    return near.found(), _Coverage(capped, len(a), total - len(a), approximate)


_JACCARD, _COSINE = 1, 2


@dataclass
class _Near:
    """Pairs of distinct statements (a < b) and, where they are near-duplicates, the Jaccard or cosine
    (``value``), the score (it rounded) and the method (``_JACCARD``, ``_COSINE``; 0 where they are not)."""

    a: np.ndarray
    b: np.ndarray
    value: np.ndarray
    score: np.ndarray
    method: np.ndarray

    @classmethod
    def none(cls) -> _Near:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int8))

    def found(self) -> _Near:
        keep = self.method > 0
        return _Near(self.a[keep], self.b[keep], self.value[keep], self.score[keep], self.method[keep])


def _list_duplicates(
    groups: list[list[int]], near: _Near, texts: list[str], words: list[frozenset[str]], limit: int
) -> tuple[list[DuplicatePair], int]:
    """The first ``limit`` duplicate pairs, strongest first (then by statement), in the caller's indices:
    each later copy of an identical statement with the first, and the near-duplicates (``near``, in indices
    of the distinct statements ``texts``); and how many there are in all."""
    firsts = np.array([g[0] for g in groups], dtype=np.int64)
    copies_a = np.repeat(firsts, [len(g) - 1 for g in groups])
    copies_b = np.array([m for g in groups for m in g[1:]], dtype=np.int64)
    a = np.concatenate([copies_a, firsts[near.a]])
    b = np.concatenate([copies_b, firsts[near.b]])
    score = np.concatenate([np.ones(len(copies_a)), near.score])
    out: list[DuplicatePair] = []
    for k in np.lexsort((b, a, -score))[:limit].tolist():
        if k < len(copies_a):
            out.append(
                DuplicatePair(a=int(a[k]), b=int(b[k]), score=1.0, method="exact", reason="identical text")
            )
            continue
        m = k - len(copies_a)
        i, j, value = int(near.a[m]), int(near.b[m]), float(near.value[m])
        if near.method[m] == _JACCARD:
            method: Literal["jaccard", "cosine"] = "jaccard"
            reason = f"{len(words[i] & words[j])} shared terms (Jaccard {value:.2f})"
        else:
            method, reason = "cosine", f"embedding cosine {value:.2f}"
        reason += _number_note(texts[i], texts[j])
        out.append(
            DuplicatePair(a=int(a[k]), b=int(b[k]), score=float(near.score[m]), method=method, reason=reason)
        )
    return out, len(a)


@dataclass
class _Coverage:
    """How far one search went: the statements whose candidates were cut to their closest ones, pairs judged,
    candidate pairs the budget left out, and whether the vector search was approximate."""

    capped: np.ndarray  # one bool per statement
    compared: int = 0
    dropped: int = 0
    approximate: bool = False


def _cosines(vecs: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Cosine of each pair (unit rows), a chunk of pairs at a time so memory stays small."""
    out = np.empty(len(a), dtype=np.float32)
    for start in range(0, len(a), chunk):
        stop = start + chunk
        out[start:stop] = np.einsum("ij,ij->i", vecs[a[start:stop]], vecs[b[start:stop]])
    return out


def _number_note(a: str, b: str) -> str:
    na, nb = set(re.findall(r"\d+(?:\.\d+)?", a)), set(re.findall(r"\d+(?:\.\d+)?", b))
    return f"; figures differ ({', '.join(sorted(na ^ nb))})" if na != nb else ""


# ------------------------------------------------------------------------------------------ contradictions

_TIME_FACTORS = {
    "ms": 0.001, "msec": 0.001, "millisecond": 0.001, "毫秒": 0.001,
    "s": 1, "sec": 1, "second": 1, "秒": 1, "秒钟": 1,
    "min": 60, "minute": 60, "分钟": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "小时": 3600,
    "day": 86400, "天": 86400, "日": 86400, "working day": 86400, "工作日": 86400, "个工作日": 86400,
    "week": 604800, "周": 604800, "星期": 604800,
    "month": 2592000, "个月": 2592000, "月": 2592000,
    "year": 31536000, "年": 31536000,
}  # fmt: skip
_SIZE_FACTORS = {"b": 1, "byte": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "字节": 1}
_UNIT = (
    r"(?P<unit>milliseconds?|msec|ms|seconds?|secs?|s|minutes?|mins?|min|hours?|hrs?|h|working days?|days?|"
    r"weeks?|months?|years?|%|percent|bytes?|kb|mb|gb|tb|毫秒|秒钟|秒|分钟|小时|个工作日|工作日|天|日|周|星期|"
    r"个月|月|年|％|字节)"
)
_LE_BEFORE = (
    r"within|in less than|less than|under|no more than|not (?:to )?exceed|at most|maximum of|up to|below|"
    r"≤|<=|<|不超过|不大于|不高于|小于|低于|少于|降至|最多"
)
_GE_BEFORE = (
    r"at least|no less than|not less than|minimum of|more than|over|above|exceeding|≥|>=|>|"
    r"不少于|不低于|不小于|大于|高于|超过|至少|达到"
)
_EQ_BEFORE = r"every|each|once every|intervals? of|每隔?|间隔(?:应为|为|是)?|周期(?:应为|为|是)?"
_CONSTRAINT = re.compile(
    rf"(?:(?P<le>{_LE_BEFORE})|(?P<ge>{_GE_BEFORE})|(?P<eq>{_EQ_BEFORE}))?\s*(?:为|是|应为|of)?\s*"
    rf"(?P<num>\d+(?:\.\d+)?)\s*{_UNIT}(?![A-Za-z])\s*"
    r"(?P<after>以内|之内|内|以下|以上|或以上|或更少|or less|or more)?",
    re.IGNORECASE,
)
_REALTIME = re.compile(r"real[- ]?time|immediately|instantly|实时|即时|立即|立刻|马上", re.IGNORECASE)
_PERIODIC = re.compile(
    r"every\s+\d+\s*\w+|once (?:a|per) \w+|daily|hourly|nightly|weekly|in batch|batch(?:es)?\b|"
    r"intervals? of \d+|每隔?\s*\d+\s*(?:秒|分钟|小时|天)|每(?:天|日|小时|周|晚)|批量|定时|"
    r"(?:间隔|周期)(?:应为|为|是)?\s*\d+\s*(?:秒|分钟|小时|天)",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(?:shall|must|will|should) not\b|\bmay not\b|\bnever\b|不得|不应|禁止|严禁|不允许|不能|不可"
)
_POSITIVE = re.compile(r"\b(?:shall|must|will|should)\b(?! not)|(?<!不)应|必须|须")


@dataclass(frozen=True)
class _Constraint:
    op: str  # <= | >= | =
    value: float  # in base units (seconds, bytes, percent)
    dim: str  # time | size | percent
    raw: str
    interval: bool = False  # "every 5 min" is a period, not a deadline; the two are never compared


def constraints(text: str) -> list[_Constraint]:
    out = []
    for m in _CONSTRAINT.finditer(text):
        dim, base = _in_base_units(float(m.group("num")), m.group("unit"))
        after = (m.group("after") or "").lower()
        if m.group("le") or after in ("以内", "之内", "内", "以下", "or less", "或更少"):
            op = "<="
        elif m.group("ge") or after in ("以上", "或以上", "or more"):
            op = ">="
        else:
            op = "="
        out.append(_Constraint(op, base, dim, m.group().strip(), interval=bool(m.group("eq"))))
    return out


def _in_base_units(value: float, unit: str) -> tuple[str, float]:
    u = unit.lower()
    if u in ("%", "％", "percent"):
        return "percent", value
    if len(u) > 2 and u.endswith("s") and u.isascii():
        u = u[:-1]  # hours -> hour, working days -> working day
    if u in _SIZE_FACTORS:
        return "size", value * _SIZE_FACTORS[u]
    return "time", value * _TIME_FACTORS.get(u, 1)


def _clash(a: _Constraint, b: _Constraint) -> str | None:
    """Why two constraints on the same quantity cannot both hold (or disagree), else None."""
    if a.dim != b.dim or a.value == b.value and a.op == b.op:
        return None
    if a.interval != b.interval:
        return None
    ops = (a.op, b.op)
    if ops == ("=", "="):
        return "different values"
    if "=" in ops:
        eq, bound = (a, b) if a.op == "=" else (b, a)
        if bound.op == "<=" and eq.value > bound.value or bound.op == ">=" and eq.value < bound.value:
            return "value outside the other's bound"
        return None
    if ops in (("<=", ">="), (">=", "<=")):
        le, ge = (a, b) if a.op == "<=" else (b, a)
        return "disjoint intervals" if ge.value > le.value else None
    return "different bounds"


def find_contradictions(
    statements: Sequence[Statement],
    *,
    subject_overlap: float = SUBJECT_OVERLAP,
    min_shared: int = MIN_SHARED,
    budget: PairBudget = BUDGET,
) -> list[Contradiction]:
    """Pairs on the same subject whose figures, timing or polarity conflict, each with the reason; in
    statement order, at most ``budget.max_listed``."""
    return check_consistency(
        statements,
        duplicates=False,
        subject_overlap=subject_overlap,
        min_shared=min_shared,
        budget=budget,
    ).contradictions


@dataclass(frozen=True)
class _Facts:
    """What the contradiction checks read of one statement, worked out once rather than once per pair."""

    subject: frozenset[str]  # content tokens without figures
    words: frozenset[str]  # content tokens with figures
    limits: list[_Constraint]
    realtime: str | None
    periodic: str | None
    negative: bool
    positive: bool  # a modal is left once the negated ones are removed


def _facts(text: str, words: frozenset[str]) -> _Facts:
    rt, per = _REALTIME.search(text), _PERIODIC.search(text)
    return _Facts(
        subject=frozenset(tokens(_strip_numbers(text))),
        words=words,
        limits=constraints(text),
        realtime=rt.group() if rt else None,
        periodic=per.group() if per else None,
        negative=bool(_NEGATIVE.search(text)),
        positive=bool(_POSITIVE.search(_NEGATIVE.sub("", text))),
    )


# What could make a statement clash with another, as bits: a figure of each (dimension, period or not), a
# "real time" without a period, a period without "real time", a prohibition, a plain obligation.
_DIMENSIONS = ("time", "size", "percent")
_REALTIME_ONLY, _PERIODIC_ONLY, _FORBIDS, _REQUIRES = (1 << (2 * len(_DIMENSIONS) + k) for k in range(4))
_FIGURES = (1 << (2 * len(_DIMENSIONS))) - 1


def _marks(f: _Facts) -> int:
    bits = 0
    for c in f.limits:
        bits |= 1 << (2 * _DIMENSIONS.index(c.dim) + c.interval)
    if f.realtime and not f.periodic:
        bits |= _REALTIME_ONLY
    if f.periodic and not f.realtime:
        bits |= _PERIODIC_ONLY
    bits |= _FORBIDS if f.negative else _REQUIRES if f.positive else 0
    return bits


def _could_clash(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs whose marks allow a numeric (a figure of the same kind on both), timing or polarity clash: what
    ``_numeric``, ``_timing`` and ``_polarity`` need before they look closer."""

    def both(x: int, y: int) -> np.ndarray:
        return ((a & x) != 0) & ((b & y) != 0) | ((a & y) != 0) & ((b & x) != 0)

    return ((a & b & _FIGURES) != 0) | both(_REALTIME_ONLY, _PERIODIC_ONLY) | both(_FORBIDS, _REQUIRES)


def _contradictions(
    texts: list[str],
    words: list[frozenset[str]],
    subject_overlap: float,
    min_shared: int,
    budget: PairBudget,
    *,
    room: int,
) -> tuple[list[Contradiction], int, _Coverage]:
    """The first ``budget.max_listed`` contradictions among distinct statements (in statement order), how
    many there are in all, and how far the search went (``room``: the pairs the budget has left)."""
    if len(texts) < 2:
        return [], 0, _Coverage(np.zeros(len(texts), dtype=bool))
    facts = [_facts(t, w) for t, w in zip(texts, words, strict=True)]
    marks = np.array([_marks(f) for f in facts], dtype=np.int64)
    # Same subject: at least min_shared tokens, and subject_overlap of the smaller statement's.
    pairs = token_candidates(
        [f.subject for f in facts],
        lambda size: max(min_shared, math.ceil(subject_overlap * size - 1e-9)),
        partners=budget.partners(len(texts), 1, max(0, room)),
        scan=budget.scan(len(texts)),
        compatible=lambda a, b: _could_clash(marks[a], marks[b]),
    )
    room = max(0, room)
    a, b = pairs.a[:room], pairs.b[:room]
    out: list[Contradiction] = []
    count = 0
    for i, j in zip(a.tolist(), b.tolist(), strict=True):  # (a, b) ascending: the first found are listed
        x, y = facts[i], facts[j]
        if len(x.subject & y.subject) < min_shared or overlap(x.subject, y.subject) < subject_overlap:
            continue
        found = _numeric(i, j, x, y) or _timing(i, j, x, y) or _polarity(i, j, x, y)
        if found:
            count += 1
            if len(out) < budget.max_listed:
                out.append(found)
    return out, count, _Coverage(pairs.capped, len(a), len(pairs) - len(a))


def _strip_numbers(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", " ", text)


def _numeric(i: int, j: int, x: _Facts, y: _Facts) -> Contradiction | None:
    for a in x.limits:
        for b in y.limits:
            why = _clash(a, b)
            if why == "different bounds" and jaccard(x.words, y.words) < 0.5:
                continue  # two upper bounds on loosely related statements are usually two different metrics
            if why:
                return Contradiction(a=i, b=j, kind="numeric", reason=f"{why}: “{a.raw}” vs “{b.raw}”")
    return None


def _timing(i: int, j: int, x: _Facts, y: _Facts) -> Contradiction | None:
    for first, second in ((x, y), (y, x)):
        if first.realtime and second.periodic and not second.realtime and not first.periodic:
            return Contradiction(
                a=i,
                b=j,
                kind="timing",
                reason=f"“{first.realtime}” vs periodic “{second.periodic}” on the same subject",
            )
    return None


_NEGATION_TOKENS = frozenset({"not", "never", "不得", "不应", "禁止", "严禁", "不允", "允许", "不能", "不可"})


def _polarity(i: int, j: int, x: _Facts, y: _Facts) -> Contradiction | None:
    if x.negative == y.negative:
        return None
    if not (y if x.negative else x).positive:
        return None
    if jaccard(x.subject - _NEGATION_TOKENS, y.subject - _NEGATION_TOKENS) < 0.5:
        return None
    return Contradiction(a=i, b=j, kind="polarity", reason="one statement requires what the other forbids")
