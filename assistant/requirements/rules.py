"""Rule table and detectors for requirement-quality findings (English and Chinese).

Every detector reports the exact words it objects to, with their span in the statement, so a reviewer can see
why a rule fired. Detectors lean towards silence: a statement that carries a figure with a unit is not
accused of vagueness about that dimension.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant.language import HAN, HAN_RANGES, statement_language

from . import rules_en as en
from . import rules_zh as zh
from .models import Finding

# --------------------------------------------------------------------------------------------- rule table


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    languages: frozenset[str]
    weight: int  # points deducted per finding
    cap: int  # most points one rule may deduct from a statement
    message_en: str
    message_zh: str

    def message(self, words: Iterable[str], language: str) -> str:
        quoted = ", ".join(f"“{w}”" for w in words)
        template = self.message_zh if language == "zh" else self.message_en
        return template.format(words=quoted)


_BOTH = frozenset({"en", "zh"})

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "vague_term",
            "Vague term",
            _BOTH,
            8,
            24,
            "Vague term {words}: replace it with a measurable criterion.",
            "含糊用语 {words}：请改为可度量的判定标准。",
        ),
        Rule(
            "escape_clause",
            "Escape clause",
            _BOTH,
            10,
            20,
            "Escape clause {words} makes the requirement optional: state the exact condition or delete it.",
            "逃避性措辞 {words} 使需求变得可选：请写明具体适用条件或删除。",
        ),
        Rule(
            "open_ended",
            "Open-ended list",
            _BOTH,
            8,
            16,
            "Open-ended list {words}: give the complete list.",
            "开放式列举 {words}：请给出完整清单。",
        ),
        Rule(
            "compound",
            "Compound requirement",
            _BOTH,
            6,
            12,
            "Several obligations in one statement {words}: split it so each can be tested and traced alone.",
            "一条需求包含多项义务 {words}：请拆分，使每条可单独测试和追踪。",
        ),
        Rule(
            "passive_no_actor",
            "Passive voice without actor",
            _BOTH,
            6,
            12,
            "No actor {words}: name the system or role responsible.",
            "缺少执行主体 {words}：请写明由哪个系统或角色执行。",
        ),
        Rule(
            "missing_unit",
            "Missing unit or figure",
            _BOTH,
            8,
            16,
            "Quantity without a unit or figure {words}: give the value and its unit.",
            "缺少单位或具体数值 {words}：请给出数值及单位。",
        ),
        Rule(
            "untestable_absolute",
            "Untestable absolute",
            _BOTH,
            8,
            16,
            "Absolute {words} cannot be verified: give a measurable level and a test period.",
            "绝对化用语 {words} 无法验证：请给出可度量的指标和考核周期。",
        ),
        Rule(
            "vague_timing",
            "Vague timing",
            _BOTH,
            8,
            16,
            "Vague timing {words}: give an interval or deadline with a unit.",
            "时间要求含糊 {words}：请给出具体的时间间隔或时限。",
        ),
        Rule(
            "pronoun_ref",
            "Unclear reference",
            _BOTH,
            5,
            10,
            "Pronoun {words} has no clear referent: name the system or object.",
            "指代不明 {words}：请写明所指的系统或对象。",
        ),
        Rule(
            "design_prescribed",
            "Design prescribed",
            _BOTH,
            3,
            6,
            "Names an implementation {words}: state the need it serves, unless the technology is imposed.",
            "指定了实现技术 {words}：除非该技术是约束条件，请改写为其满足的需求。",
        ),
        Rule(
            "weak_modal",
            "Weak modal",
            _BOTH,
            5,
            5,
            "Weak modal {words}: use “shall” for a binding requirement.",
            "弱情态词 {words}：约束性需求请使用“应”。",
        ),
        Rule(
            "missing_modal",
            "Missing modal",
            _BOTH,
            4,
            4,
            "No modal verb: state the obligation with “shall”.",
            "缺少情态词：请用“应”明确义务。",
        ),
    )
}

# Findings of these rules are more specific than vague_term; an overlapping vague_term is dropped.
_SPECIFIC_RULES = frozenset(
    {"escape_clause", "open_ended", "untestable_absolute", "vague_timing", "missing_unit", "pronoun_ref"}
)

# ------------------------------------------------------------------------------------------ text helpers

_CLAUSE_BREAK = re.compile(r"[,;:，；：。！？!?]")


def _alt(phrases: Iterable[str]) -> str:
    """Regex alternation, longest first, spaces matching any whitespace, Latin edges bounded."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in p.split(" "))
        if p[:1].isascii() and p[:1].isalnum():
            body = r"(?<![A-Za-z0-9_])" + body
        if p[-1:].isascii() and p[-1:].isalnum():
            body = body + r"(?![A-Za-z0-9_])"
        parts.append(body)
    return "(?:" + "|".join(parts) + ")"


def _compile(phrases: Iterable[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(_alt(phrases), flags)


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, pos):
        # A decimal point or thousands separator is not a clause break.
        if not (m.group() in ",." and 0 < m.start() < len(text) - 1 and text[m.start() + 1].isdigit()):
            start = m.end()
    end_m = _CLAUSE_BREAK.search(text, pos)
    return start, end_m.start() if end_m else len(text)


# ------------------------------------------------------------------------------------- numbers and units

_TIME_UNITS_EN = (
    "ms|msec|milliseconds?|µs|us|microseconds?|ns|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?"
    "|months?|years?|working days|business days"
)
_TIME_UNITS_ZH = "毫秒|微秒|秒钟|秒|分钟|小时|天|日|周|星期|个月|月|年|个工作日|工作日"
_NUM = r"(?:\d+(?:[.,]\d+)*|[一二两三四五六七八九十百千万]+)"
_MEASURE_EN = re.compile(
    rf"(?<![A-Za-z0-9_.\-/§])\d+(?:[.,]\d+)*\s*(?:{_alt(en.UNITS)}|(?=[%％]))[%％]?",
    re.IGNORECASE,
)
_MEASURE_ZH = re.compile(rf"{_NUM}\s*(?:{'|'.join(sorted(zh.UNITS, key=len, reverse=True))})")
_TIME_MEASURE = re.compile(
    rf"(?:(?<![A-Za-z0-9_.\-/§])\d+(?:[.,]\d+)*\s*(?:{_TIME_UNITS_EN})(?![A-Za-z])"
    rf"|{_NUM}\s*(?:{_TIME_UNITS_ZH})"
    r"|\b\d{1,2}:\d{2}\b"
    r"|\b(?:daily|hourly|weekly|monthly|nightly|yearly|annually|once a \w+|every \w+)\b"
    r"|每(?:天|日|小时|周|月|年|班次?|次|分钟|秒|季度)|每\s*\d)",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]")


def has_measure(text: str) -> bool:
    return bool(_MEASURE_EN.search(text) or _MEASURE_ZH.search(text) or _TIME_MEASURE.search(text))


def has_time_measure(text: str) -> bool:
    return bool(_TIME_MEASURE.search(text))


# ------------------------------------------------------------------------------------------------ modals

_EN_STRONG = re.compile(r"\b(?:shall|must|is required to|are required to)\b(?:\s+not\b)?", re.IGNORECASE)
# "has to" / "needs to" oblige like 需要 does in Chinese: informal, but neither permission nor recommendation.
_EN_NEUTRAL = re.compile(r"\b(?:needs? to|has to|have to)\b", re.IGNORECASE)
_EN_WEAK = re.compile(
    r"\b(?:should|might|could|would|can|cannot|will|ought to)\b"
    r"|\bmay\b(?!\s+\d)",  # "May 2026" is a month
    re.IGNORECASE,
)
_YING = rf"(?<![{zh.YING_PREV_EXCLUDE}])应(?![{zh.YING_NEXT_EXCLUDE}])"
_ZH_STRONG = re.compile(rf"应当|应该|必须|务必|(?<![无毋必])须(?!知)|不得|禁止|严禁|不应|不允许|{_YING}")
_ZH_NEUTRAL = re.compile(
    r"(?<![根据按如有所只])需要(?!时|的话)|(?<![无不所])需(?![求要知])|要求(?=\S{0,6}(?:系统|平台|在|能|必须|须|应))"
)
# 可 alone is a modal only outside words like 可用性, 可靠, 可维护, 不可, 许可.
_ZH_WEAK = re.compile(r"可以|宜|最好|建议|(?<![不许认宁])可(?![用靠维扩移视见能信控配读选行追疑观持控变])")
# A modal followed by "and"/"or"/punctuation is being mentioned, not used ("the keywords shall and must").
_MENTION_AFTER = re.compile(r"\s*(?:and|or|for|[,.)\"”’']|$)", re.IGNORECASE)


@dataclass(frozen=True)
class ModalUse:
    start: int
    end: int
    word: str
    strength: str  # strong | neutral | weak


def find_modals(text: str) -> list[ModalUse]:
    """Every modal verb actually used as a modal, in order of appearance."""
    uses: list[ModalUse] = []
    for pattern, strength in ((_EN_STRONG, "strong"), (_EN_NEUTRAL, "neutral"), (_EN_WEAK, "weak")):
        for m in pattern.finditer(text):
            before = text[max(0, m.start() - 2) : m.start()]
            if _MENTION_AFTER.match(text, m.end()) or before.endswith(("“", '"', "'")):
                continue
            uses.append(ModalUse(m.start(), m.end(), m.group(), strength))
    for pattern, strength in ((_ZH_STRONG, "strong"), (_ZH_NEUTRAL, "neutral"), (_ZH_WEAK, "weak")):
        for m in pattern.finditer(text):
            if any(u.start <= m.start() < u.end for u in uses):
                continue  # 不应 already holds its 应; 应当 its 应
            uses.append(ModalUse(m.start(), m.end(), m.group(), strength))
    uses.sort(key=lambda u: u.start)
    return uses


# ------------------------------------------------------------------------------------------ detectors


@dataclass
class _Ctx:
    text: str
    language: str
    modals: list[ModalUse]
    measured: bool
    time_measured: bool


Detector = Callable[[_Ctx], list[tuple[str, list[str], tuple[int, int]]]]

_VAGUE_EN = _compile(en.VAGUE_TERMS)
_VAGUE_ZH_PLAIN = re.compile(_alt(t for t in zh.VAGUE_TERMS if t not in zh.GUARDED_TERMS))
_VAGUE_ZH_GUARDED = re.compile("|".join(f"(?:{p})" for p in zh.GUARDED_TERMS.values()))
_VERB_POSITION = re.compile(r"(?:shall|must|should|will|can|may|to)\s+$", re.IGNORECASE)
_VAGUE_DIMENSION = {**en.VAGUE_TERMS, **zh.VAGUE_TERMS}
_ALSO_VERBS = frozenset({"secure", "clear", "optimized", "stable", "proper"})


# "about 30 s" states a figure and then hedges it; "information about X" is no approximation.
_APPROX_EN = re.compile(
    r"\b(?:about|approximately|approx\.|around|roughly|circa|typically)(?=\s+\d)", re.IGNORECASE
)


def _vague_term(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    hits = [("vague_term", [m.group()], (m.start(), m.end())) for m in _APPROX_EN.finditer(ctx.text)]
    for pattern in (_VAGUE_EN, _VAGUE_ZH_PLAIN, _VAGUE_ZH_GUARDED):
        for m in pattern.finditer(ctx.text):
            word = m.group()
            if word.lower() in _ALSO_VERBS and _VERB_POSITION.search(
                ctx.text[max(0, m.start() - 12) : m.start()]
            ):
                continue  # "shall secure the link": a verb, not a vague adjective
            dim = _VAGUE_DIMENSION.get(word.lower(), _VAGUE_DIMENSION.get(word, "criterion"))
            if dim == "time" and ctx.time_measured:
                continue
            hits.append(("vague_term", [word], (m.start(), m.end())))
    return hits


_ESCAPE = re.compile(_alt(en.ESCAPE_CLAUSES) + r"(?!\s+by\b)|" + _alt(zh.ESCAPE_CLAUSES), re.IGNORECASE)


def _escape_clause(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    return [("escape_clause", [m.group()], (m.start(), m.end())) for m in _ESCAPE.finditer(ctx.text)]


_OPEN_EN = re.compile(r"(?<![A-Za-z])etc\b\.?(?:\s*[.…]+)?|" + _alt(en.OPEN_ENDED[2:]), re.IGNORECASE)
_OPEN_ZH = re.compile(_alt(zh.OPEN_ENDED))
_DENG = re.compile(
    rf"(?<=[{HAN_RANGES}A-Za-z0-9)）\]】])(?<![{zh.DENG_PREV_EXCLUDE}])等(?![等{zh.DENG_NEXT_EXCLUDE}])"
)
_LIST_SEPARATOR = re.compile(r"[、,，/]|和|及|与|或")


def _open_ended(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    hits = [("open_ended", [m.group().strip()], (m.start(), m.end())) for m in _OPEN_EN.finditer(ctx.text)]
    taken = [h[2] for h in hits]
    for m in _OPEN_ZH.finditer(ctx.text):
        if not any(s <= m.start() < e for s, e in taken):
            hits.append(("open_ended", [m.group()], (m.start(), m.end())))
            taken.append((m.start(), m.end()))
    for m in _DENG.finditer(ctx.text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        tail = ctx.text[m.end() :]
        if re.match(r"\s*\d", tail):
            continue  # "订单、库存等 3 类": a count closes the list
        cs, _ = _clause_bounds(ctx.text, m.start())
        clause_end = re.match(r"\s*(?:[，。；！？,.;!?）)]|$)", tail)
        if not clause_end and not _LIST_SEPARATOR.search(ctx.text, cs, m.start()):
            continue  # "等" without a list before it is a verb or part of a name
        hits.append(("open_ended", ["等"], (m.start(), m.end())))
    return hits


_EN_CONJ_VERB = re.compile(
    r"(?:,?\s+(?:and|or)\s+(?:then\s+|also\s+|shall\s+|must\s+|will\s+|should\s+)?|,?\s+as well as\s+)"
    rf"({_alt(en.ACTION_VERBS)})\b",
    re.IGNORECASE,
)
_ZH_CONJ = re.compile(r"并且|(?<![合兼吞归])并(?!发(?![送布起出])|[行非不列购存且])|同时|以及|而且|且")
_ZH_VERB_AFTER = re.compile(
    rf"\s*(?:[应须需]|必须|要)?\s*(?:在[^，。；]{{0,12}})?(?:{_alt(zh.ACTION_VERBS)})"
)


def _compound(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    binding = [
        u for u in ctx.modals if u.strength in ("strong", "neutral") or u.word.lower() in ("will", "should")
    ]
    if len(binding) >= 2:
        # Two modals in the same clause ("shall not and must") are one obligation; across clauses, two.
        first, second = binding[0], binding[1]
        if _CLAUSE_BREAK.search(ctx.text, first.end, second.start) or re.search(
            r"\b(?:and|or)\b|并|且|同时|以及", ctx.text[first.end : second.start]
        ):
            return [("compound", [first.word, second.word], (first.start, second.end))]
    if not binding:
        return []
    anchor = binding[0].end
    m = _EN_CONJ_VERB.search(ctx.text, anchor)
    # At least two words between the modal and the conjunction: "shall read and write" is one capability.
    if m and len(ctx.text[anchor : m.start()].split()) >= 3:
        return [("compound", [m.group().strip(" ,")], (m.start(), m.end()))]
    for c in _ZH_CONJ.finditer(ctx.text, anchor):
        if c.start() - anchor >= 4 and _ZH_VERB_AFTER.match(ctx.text, c.end()):
            v = _ZH_VERB_AFTER.match(ctx.text, c.end())
            assert v is not None
            return [("compound", [ctx.text[c.start() : v.end()].strip()], (c.start(), v.end()))]
    return []


_PARTICIPLE = rf"(?:[a-z]+ed|{'|'.join(en.IRREGULAR_PARTICIPLES)})"
_EN_PASSIVE = re.compile(
    rf"\b(?:shall|must|should|will|can|may|is required to|are required to|needs? to|has to|have to)"
    rf"\s+(?:not\s+)?(?:also\s+|only\s+|always\s+|never\s+|automatically\s+)?be\s+"
    rf"(?:\w+ly\s+)?({_PARTICIPLE})\b",
    re.IGNORECASE,
)
_STATIVE = frozenset(en.STATIVE_PARTICIPLES)
_SUBORDINATE = re.compile(r"\b(?:that|which|who|whom|whose|whether|if)\b", re.IGNORECASE)
# "by 03:00" or "by the end of" is a deadline, not an actor.
_BY_ACTOR = re.compile(
    r"\bby\s+(?!\d|the end\b|end\b|noon\b|midnight\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|default\b|means of\b|way of\b)",
    re.IGNORECASE,
)
_ZH_BEI = re.compile(
    rf"被\s*([{HAN_RANGES}]{{0,4}}?)(?:{_alt(zh.ACTION_VERBS)}|[{HAN_RANGES}](?=[，。；,;]|$))"
    r"(?![员人者方端部组师长])"
)
_ZH_VAGUE_ACTOR = re.compile(r"由(?:相关|有关)?(?:人员|专人|部门|单位|方面)(?:负责)?(?:进行)?")
_LATIN_ACTOR = re.compile(r"[A-Z]{2,}[A-Za-z0-9]*|[A-Z][a-z]+[A-Z][A-Za-z]+")
_ZH_ACTOR = re.compile(_alt(zh.ACTOR_NOUNS))
_ZH_METRIC = re.compile(_alt(zh.METRIC_NOUNS))
_LEADING_ID = re.compile(
    r"^\s*(?:\[[^\]]{1,20}\]|【[^】]{1,20}】|"
    r"[A-Z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*[-_ ]?\d[\d.]*)\s*[:：)]?\s*"
)
_ZH_CONDITION_LEAD = re.compile(r"^(?:当|在|若|如果|如|一旦|每当|对于|针对|按|根据)")


def _passive_no_actor(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    hits = []
    for m in _EN_PASSIVE.finditer(ctx.text):
        participle = m.group(1).lower()
        if participle in _STATIVE or participle in ("need", "speed", "feed"):
            continue
        clause_start, clause_end = _clause_bounds(ctx.text, m.end())
        if _BY_ACTOR.search(ctx.text, m.end(), max(clause_end, m.end())):
            continue
        if _SUBORDINATE.search(ctx.text, clause_start, m.start()):
            continue  # "messages that must be sent": a description of data, not the obligation itself
        hits.append(("passive_no_actor", [m.group()], (m.start(), m.end())))
    for m in _ZH_BEI.finditer(ctx.text):
        if _ZH_ACTOR.search(m.group(1)) or _LATIN_ACTOR.search(m.group(1)):
            continue  # 被管理员删除: the actor is named
        hits.append(("passive_no_actor", [m.group()], (m.start(), m.end())))
    for m in _ZH_VAGUE_ACTOR.finditer(ctx.text):
        hits.append(("passive_no_actor", [m.group()], (m.start(), m.end())))
    if hits or ctx.language != "zh":
        return hits
    # "数据应定期同步": a subject exists, but it is a data object, not a system or a role.
    first = next((u for u in ctx.modals if u.strength in ("strong", "neutral") and HAN.search(u.word)), None)
    if first is None:
        return hits
    cs, _ = _clause_bounds(ctx.text, first.start)
    subject = _LEADING_ID.sub("", ctx.text[cs : first.start]).strip()
    if (
        not subject
        or _PRONOUN_ZH.match(subject)
        or _ZH_CONDITION_LEAD.match(subject)
        and not _ZH_ACTOR.search(subject)
    ):
        return hits  # no subject at all, or only a condition: the actor comes from context
    after = ctx.text[first.start :]
    if _ZH_ACTOR.search(subject) or _LATIN_ACTOR.search(subject) or "由" in after or "被" in after:
        return hits
    if _ZH_METRIC.search(subject):
        return hits
    if not HAN.search(subject):
        return hits
    return [("passive_no_actor", [subject], (cs + ctx.text[cs:].find(subject), first.start))]


_NUMBER = re.compile(r"(?<![A-Za-z0-9_.\-/§:])\d+(?:[.,]\d+)*(?![\d:\-/]|\.\d)")
_DIMENSION_EN = _compile(en.DIMENSION_WORDS)
_DIMENSION_ZH = re.compile(_alt(zh.DIMENSION_WORDS))
_UNIT_AFTER_EN = re.compile(rf"\s*(?:[A-Za-z\-]+\s+)?(?:{_alt(en.UNITS)}|[%％])", re.IGNORECASE)
_UNIT_AFTER_ZH = re.compile(
    rf"\s*(?:{'|'.join(sorted(zh.UNITS, key=len, reverse=True))}|[%％]|[A-Za-z]+"
    rf"|[)）]?\s*(?:{_alt(en.UNITS)}))"
)
_NUMBER_LIST_TAIL = re.compile(r"(?:\s*(?:,|，|、|and|or|to|至|到|-|–|~)\s*\d+(?:[.,]\d+)*)+", re.IGNORECASE)
_COMPARATIVE = re.compile(_alt(en.COMPARATIVES) + "|" + _alt(zh.COMPARATIVES), re.IGNORECASE)


def _missing_unit(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    hits = []
    for m in _NUMBER.finditer(ctx.text):
        if _is_id_number(ctx.text, m) or float(m.group().replace(",", "")) == 0:
            continue  # identifiers need no unit, and neither does zero
        tail = ctx.text[m.end() :]
        more = _NUMBER_LIST_TAIL.match(tail)  # "1, 5 and 15 minutes" shares one unit
        tail = tail[more.end() :] if more else tail
        if _UNIT_AFTER_EN.match(tail) or _UNIT_AFTER_ZH.match(tail):
            continue
        cs, _ = _clause_bounds(ctx.text, m.start())
        window = ctx.text[max(cs, m.start() - 24) : m.start()]
        if _DIMENSION_EN.search(window) or _DIMENSION_ZH.search(window):
            hits.append(("missing_unit", [m.group()], (m.start(), m.end())))
    if not ctx.measured:
        for m in _COMPARATIVE.finditer(ctx.text):
            hits.append(("missing_unit", [m.group()], (m.start(), m.end())))
    return hits


# Words after which a number is a name, not a quantity ("TLS 1.2", "Level 3", "Figure 4").
_NAMED_NUMBER = re.compile(
    r"\b(?:v|version|release|rev|TLS|SSL|QoS|HTTP|level|subset|section|chapter|figure|fig\.|table|annex|appendix|"
    r"phase|step|no\.|number|item|wave|line|workshop|ISO|IEC|GB/T|GB)\s$",
    re.IGNORECASE,
)


def _is_id_number(text: str, m: re.Match[str]) -> bool:
    """True when the number belongs to an identifier, version, date, section or clock time."""
    lead = text[max(0, m.start() - 9) : m.start()]
    if (
        "." in m.group()
        and m.start() > 0
        and (text[m.start() - 1].isalpha() or HAN.match(text[m.start() - 1]))
    ):
        return True  # 等保2.0, MQTT3.1: a version glued to a name
    if "." in m.group() and re.search(r"\b[A-Z][A-Za-z]+\s$", lead):
        return True  # "Scheme 2.0", "Python 3.11": a version after a proper name
    whole = text[max(0, m.start() - 9) : min(len(text), m.end() + 6)]
    if re.search(r"[A-Za-z_\-/§#]$|第\s?$|(?:版本|编号|号)\s?$", lead) or _NAMED_NUMBER.search(lead):
        return True
    return bool(re.search(r"\d+\.\d+\.\d+|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2}|\d+\s*(?:年|月|号)", whole))


_ABSOLUTE_EN = _compile(en.ABSOLUTES)
_ABSOLUTE_ZH = re.compile(_alt(zh.ABSOLUTES))
# "never" is untestable when it promises the absence of failure ("never crash", "never be down"); in a
# prohibition or an invariant ("shall never expose", "a message never creates a second posting") it is
# testable.
_NEVER_FAILURE = re.compile(rf"never\s+(?:{_alt(en.FAILURE_VERBS)}|be\b)", re.IGNORECASE)
_RATIO_OF_TESTS = re.compile(r"pass|coverage|test cases?|通过率|覆盖率|用例|签字|sign-?off", re.IGNORECASE)
_PROHIBITION_ZH = re.compile(_alt(zh.PROHIBITIONS))
_FAILURE_NOUN_ZH = re.compile(r"任何(?:漏洞|错误|故障|差错|问题|缺陷|异常|情况|时候|时间|条件|场景|环境)")


def _untestable_absolute(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    hits = []
    for m in _ABSOLUTE_EN.finditer(ctx.text):
        word = m.group().lower()
        if word == "never" and not _NEVER_FAILURE.match(ctx.text, m.start()):
            continue
        if word.startswith("100") and _RATIO_OF_TESTS.search(ctx.text):
            continue
        hits.append(("untestable_absolute", [m.group()], (m.start(), m.end())))
    for m in _ABSOLUTE_ZH.finditer(ctx.text):
        word = m.group()
        if word == "任何":
            cs, _ = _clause_bounds(ctx.text, m.start())
            plain = not _FAILURE_NOUN_ZH.match(ctx.text, m.start())
            if plain and _PROHIBITION_ZH.search(ctx.text, cs, m.start()):
                continue  # "不得向任何第三方提供": a testable prohibition
        if word.startswith(("100", "百分之百")) and _RATIO_OF_TESTS.search(ctx.text):
            continue
        hits.append(("untestable_absolute", [word], (m.start(), m.end())))
    return hits


_TIMING_EN = re.compile(
    _alt(en.VAGUE_TIMING) + r"(?!\s+(?:after|upon|on receipt|following)\b)",
    re.IGNORECASE,
)
_TIMING_ZH = re.compile(_alt(zh.VAGUE_TIMING))


def _vague_timing(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    if ctx.time_measured:
        return []
    hits = [("vague_timing", [m.group()], (m.start(), m.end())) for m in _TIMING_EN.finditer(ctx.text)]
    hits += [("vague_timing", [m.group()], (m.start(), m.end())) for m in _TIMING_ZH.finditer(ctx.text)]
    return hits


_LEAD = re.compile(r"^[\s\-*•·>#\d.)(（）、]*")
_PRONOUN_EN = re.compile(
    r"(?:(it|they|its|their|them)\b|(this|that|these|those)(?=\s+(?:shall|must|should|will|can|may|is|are|"
    r"was|were|has|have|needs?|requires?|includes?|means)\b))",
    re.IGNORECASE,
)
_PRONOUN_ZH = re.compile(
    r"(?:它们|它|其(?![他它余次中实])|该|此(?![外时后前])|这些|这(?![样里么])|上述|前述|以上(?!\s*\d))"
)


def _pronoun_ref(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    lead = _LEAD.match(ctx.text)
    start = lead.end() if lead else 0
    m = _PRONOUN_EN.match(ctx.text, start) or _PRONOUN_ZH.match(ctx.text, start)
    return [("pronoun_ref", [m.group()], (m.start(), m.end()))] if m else []


_TECH_PRODUCT = re.compile(
    _alt(t for t in en.TECH_PRODUCTS if len(t) > 3)
    + "|"
    + _alt(zh.TECH_PRODUCTS)
    + "|"
    # Short names (Go, Ada, Vue) are ordinary words unless written as the product is.
    + _alt(t for t in en.TECH_PRODUCTS if len(t) <= 3),
    0,
)
_TECH_PROTOCOL = re.compile(_alt(en.TECH_PROTOCOLS))
_DESIGN_VERB_EN = re.compile(
    r"\b(?:use|uses|using|used|adopt|adopts|employ|based on|implemented (?:in|with|using|on)|"
    r"built (?:on|with)"
    r"|developed (?:in|with)|written in|run on|deployed on)\b(?:\s+(?:a|an|the)\b)?\s*(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
_DESIGN_VERB_ZH = re.compile(rf"(?:{'|'.join(zh.DESIGN_VERBS)})\s*\S{{0,6}}$")
_DESIGN_NOUN_ZH = re.compile(
    rf"(?:{'|'.join(zh.DESIGN_VERBS)})[^，。；]{{0,8}}?(?:{'|'.join(zh.DESIGN_NOUNS)})"
)
_INTERFACE_CONTEXT = re.compile(_alt(en.INTERFACE_CONTEXT) + "|" + _alt(zh.INTERFACE_CONTEXT), re.IGNORECASE)


def _design_prescribed(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    hits = []
    interface = bool(_INTERFACE_CONTEXT.search(ctx.text))
    for pattern, is_protocol in ((_TECH_PRODUCT, False), (_TECH_PROTOCOL, True)):
        for m in pattern.finditer(ctx.text):
            if is_protocol and interface:
                continue  # interface specifications legitimately name their protocols
            before = ctx.text[max(0, m.start() - 40) : m.start()]
            if _DESIGN_VERB_EN.search(before) or _DESIGN_VERB_ZH.search(before):
                hits.append(("design_prescribed", [m.group()], (m.start(), m.end())))
    if not hits:
        for m in _DESIGN_NOUN_ZH.finditer(ctx.text):
            hits.append(("design_prescribed", [m.group()], (m.start(), m.end())))
    return hits


def _modal_strength(ctx: _Ctx) -> list[tuple[str, list[str], tuple[int, int]]]:
    if any(u.strength in ("strong", "neutral") for u in ctx.modals):
        return []
    weak = [u for u in ctx.modals if u.strength == "weak"]
    if weak:
        return [("weak_modal", [weak[0].word], (weak[0].start, weak[0].end))]
    return [("missing_modal", [], (0, 0))]


DETECTORS: tuple[Detector, ...] = (
    _vague_term,
    _escape_clause,
    _open_ended,
    _compound,
    _passive_no_actor,
    _missing_unit,
    _untestable_absolute,
    _vague_timing,
    _pronoun_ref,
    _design_prescribed,
    _modal_strength,
)


def detect(text: str, language: str | None = None) -> list[Finding]:
    """All findings for one requirement statement, ordered by position."""
    lang = language or statement_language(text)
    ctx = _Ctx(
        text=text,
        language=lang,
        modals=find_modals(text),
        measured=has_measure(text),
        time_measured=has_time_measure(text),
    )
    raw: list[tuple[str, list[str], tuple[int, int]]] = []
    for detector in DETECTORS:
        raw.extend(detector(ctx))
    raw = _drop_overlaps(raw)
    findings = []
    for rule_id, words, span in raw:
        rule = RULES[rule_id]
        findings.append(
            Finding(
                rule=rule_id,
                words=words,
                message=rule.message(words, lang),
                span=None if span == (0, 0) else span,
            )
        )
    findings.sort(key=lambda f: (f.span or (len(text), 0))[0])
    return findings


def _drop_overlaps(
    raw: list[tuple[str, list[str], tuple[int, int]]],
) -> list[tuple[str, list[str], tuple[int, int]]]:
    """Same rule twice on one span counts once; a vague_term under a more specific finding is dropped."""
    seen: set[tuple[str, tuple[int, int]]] = set()
    specific = [span for rule, _, span in raw if rule in _SPECIFIC_RULES]
    kept = []
    for rule, words, span in raw:
        if (rule, span) in seen:
            continue
        if rule == "vague_term" and any(s < span[1] and span[0] < e for s, e in specific):
            continue
        seen.add((rule, span))
        kept.append((rule, words, span))
    return kept
