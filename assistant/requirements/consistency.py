"""Duplicates and contradictions across the requirements of one document.

Statements are compared on content tokens (English words, Chinese character bigrams); numbers are pulled out
with their comparator and unit so that "≤ 2 s" and "at least 5 s" on the same subject can be seen to clash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.language import HAN_RUN, REQUIREMENT_STOP_HANZI, REQUIREMENT_STOPWORDS
from assistant.vectors import unit_rows

from .models import Contradiction, DuplicatePair, RequirementStatement

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


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


# ---------------------------------------------------------------------------------------------- duplicates


def find_duplicates(
    statements: Sequence[Statement],
    embed: Embed | None = None,
    *,
    jaccard_threshold: float = 0.6,
    cosine_threshold: float = 0.92,
) -> list[DuplicatePair]:
    """Pairs (a < b) saying the same thing: identical once normalised, or close in tokens or embedding."""
    texts = [_text(s) for s in statements]
    keys = [normalise(t) for t in texts]
    toks = [tokens(t) for t in texts]
    sims = None
    if embed is not None and len(texts) > 1:
        vecs = unit_rows(embed(texts))
        sims = vecs @ vecs.T
    pairs: list[DuplicatePair] = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if keys[i] and keys[i] == keys[j]:
                pairs.append(DuplicatePair(a=i, b=j, score=1.0, method="exact", reason="identical text"))
                continue
            jac = jaccard(toks[i], toks[j])
            if jac >= jaccard_threshold:
                reason = f"{len(toks[i] & toks[j])} shared terms (Jaccard {jac:.2f})" + _number_note(
                    texts[i], texts[j]
                )
                pairs.append(DuplicatePair(a=i, b=j, score=round(jac, 3), method="jaccard", reason=reason))
                continue
            if sims is not None and sims[i, j] >= cosine_threshold:
                cos = float(sims[i, j])
                reason = f"embedding cosine {cos:.2f}" + _number_note(texts[i], texts[j])
                pairs.append(DuplicatePair(a=i, b=j, score=round(cos, 3), method="cosine", reason=reason))
    pairs.sort(key=lambda p: -p.score)
    return pairs


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
    statements: Sequence[Statement], *, subject_overlap: float = 0.4, min_shared: int = 2
) -> list[Contradiction]:
    """Pairs on the same subject whose figures, timing or polarity conflict, each with the reason."""
    texts = [_text(s) for s in statements]
    toks = [tokens(_strip_numbers(t)) for t in texts]
    cons = [constraints(t) for t in texts]
    out: list[Contradiction] = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            shared = toks[i] & toks[j]
            if len(shared) < min_shared or overlap(toks[i], toks[j]) < subject_overlap:
                continue
            found = _numeric(i, j, cons, texts) or _timing(i, j, texts) or _polarity(i, j, texts, toks)
            if found:
                out.append(found)
    return out


def _strip_numbers(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", " ", text)


def _numeric(i: int, j: int, cons: list[list[_Constraint]], texts: list[str]) -> Contradiction | None:
    for a in cons[i]:
        for b in cons[j]:
            why = _clash(a, b)
            if why == "different bounds" and jaccard(tokens(texts[i]), tokens(texts[j])) < 0.5:
                continue  # two upper bounds on loosely related statements are usually two different metrics
            if why:
                return Contradiction(a=i, b=j, kind="numeric", reason=f"{why}: “{a.raw}” vs “{b.raw}”")
    return None


def _timing(i: int, j: int, texts: list[str]) -> Contradiction | None:
    for x, y in ((i, j), (j, i)):
        rt = _REALTIME.search(texts[x])
        per = _PERIODIC.search(texts[y])
        if rt and per and not _REALTIME.search(texts[y]) and not _PERIODIC.search(texts[x]):
            return Contradiction(
                a=i,
                b=j,
                kind="timing",
                reason=f"“{rt.group()}” vs periodic “{per.group()}” on the same subject",
            )
    return None


def _polarity(i: int, j: int, texts: list[str], toks: list[set[str]]) -> Contradiction | None:
    neg_i, neg_j = bool(_NEGATIVE.search(texts[i])), bool(_NEGATIVE.search(texts[j]))
    if neg_i == neg_j:
        return None
    pos = j if neg_i else i
    if not _POSITIVE.search(_NEGATIVE.sub("", texts[pos])):
        return None
    strip = {"not", "never", "不得", "不应", "禁止", "严禁", "不允", "允许", "不能", "不可"}
    if jaccard(toks[i] - strip, toks[j] - strip) < 0.5:
        return None
    return Contradiction(a=i, b=j, kind="polarity", reason="one statement requires what the other forbids")
