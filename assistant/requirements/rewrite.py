"""Rule-based EARS skeleton and Given/When/Then acceptance criteria, used when no LLM is available.

The output is a skeleton for the analyst: it keeps the statement's content, splits compound statements, and
puts explicit <placeholders> where the original is vague. It never invents a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import rules_en as en
from . import rules_zh as zh
from .models import Finding
from .rules import detect, find_modals

_EN_TRAILING_CONDITION = re.compile(
    r"\s+(?P<kw>when|whenever|if|while|during|once|after|upon|in case of)\s+(?P<cond>.+)$", re.IGNORECASE
)
_ZH_CONDITION = re.compile(
    r"^(?:(?P<when>当|在|每当|一旦)(?P<cond1>[^，,]+?)(?P<tail>时|后|之后|期间|状态下|情况下|下)|"
    r"(?P<if>若|如果|如|假如|倘若)(?P<cond2>[^，,]+))[，,]\s*"
)
_EN_KIND = {
    "when": "when",
    "whenever": "when",
    "once": "when",
    "after": "when",
    "upon": "when",
    "on": "when",
    "before": "when",
    "if": "if",
    "in case of": "if",
    "in the event of": "if",
    "while": "while",
    "during": "while",
    "where": "where",
}
_WEAK_TO_STRONG_EN = re.compile(
    r"\b(?:should|may|might|can|could|would|will|needs? to|has to|have to|ought to)\b", re.IGNORECASE
)
_WEAK_TO_STRONG_ZH = {"可以": "应", "可": "应", "宜": "应", "最好": "应", "建议": "应", "不宜": "不应"}


@dataclass
class _Part:
    condition_kind: str | None  # when | if | while | where | None
    condition: str
    lead: str  # a leading qualifier kept verbatim ("Before go-live", "按月度盘点结果计算")
    subject: str
    negative: bool
    response: str


# ------------------------------------------------------------------------------------------ placeholders


def _placeholder(finding: Finding, language: str) -> str | None:
    table = zh.PLACEHOLDERS if language == "zh" else en.PLACEHOLDERS
    word = finding.words[0] if finding.words else ""
    if finding.rule == "vague_term":
        dim = en.VAGUE_TERMS.get(word.lower()) or zh.VAGUE_TERMS.get(word) or "criterion"
        return table[dim]
    if finding.rule == "missing_unit":
        if re.fullmatch(r"[\d.,]+", word):
            return f"{word} <{'单位' if language == 'zh' else 'unit'}>"
        return table["comparative"]
    if finding.rule in ("escape_clause", "open_ended", "untestable_absolute", "vague_timing", "pronoun_ref"):
        return table[finding.rule]
    return None


def _apply_placeholders(text: str, findings: list[Finding], language: str) -> str:
    edits = []
    for f in findings:
        if f.span is None:
            continue
        repl = _placeholder(f, language)
        if repl is None and f.rule == "weak_modal":
            word = text[f.span[0] : f.span[1]]
            repl = _WEAK_TO_STRONG_ZH.get(word) if language == "zh" else _WEAK_TO_STRONG_EN.sub("shall", word)
        if repl is not None:
            edits.append((f.span[0], f.span[1], repl))
    out, last = [], len(text)
    for start, end, repl in sorted(edits, key=lambda e: e[0], reverse=True):
        if end > last:
            continue  # overlapping edits: the later one already covers this text
        out.append(text[end:last])
        out.append(repl)
        last = start
    out.append(text[:last])
    return "".join(reversed(out))


def _merge_placeholders(text: str) -> str:
    """'<x> and <x>' reads as one gap to fill, so it is written once."""
    return re.sub(r"(<[^<>]+>)(?:\s*(?:and|or|,|、|和|及|且|，)\s*\1)+", r"\1", text)


def _actorless(part: str, language: str) -> bool:
    return any(f.rule == "passive_no_actor" for f in detect(part, language))


# -------------------------------------------------------------------------------------------- splitting


def _split_compound(text: str, language: str) -> list[str]:
    """Cut before each further obligation: a second modal in a new clause, or '; and <verb>' / '并<动词>'."""
    binding = [
        u for u in find_modals(text) if u.strength in ("strong", "neutral") or u.word.lower() == "shall"
    ]
    cuts: list[tuple[int, int]] = []  # (cut position, where the next part's own text starts)
    for prev, cur in zip(binding, binding[1:], strict=False):
        between = text[prev.end : cur.start]
        # The last joint before the second modal is where the second obligation begins.
        joints = list(
            re.finditer(
                r"[,;，；]\s*(?:and\s+|并且?|同时|而且|且)?|\s+(?:and|or)\s+|并且|并|同时|以及|且", between
            )
        )
        m = joints[-1] if joints else None
        if m is not None:
            cuts.append((prev.end + m.start(), prev.end + m.end()))
    if not cuts and binding:
        conj = re.compile(
            r",?\s+(?:and|as well as)\s+(?=(?:" + "|".join(en.ACTION_VERBS) + r")\b)"
            r"|[，,]?(?:并且|并|同时|以及)(?=(?:" + "|".join(zh.ACTION_VERBS) + "))",
            re.IGNORECASE,
        )
        m = conj.search(text, binding[0].end)
        if m and len(text[binding[0].end : m.start()].split()) >= (1 if language == "zh" else 3):
            # The second part borrows the first part's subject and modal.
            head = text[: binding[0].end]
            first = text[: m.start()]
            second = head + (" " if language != "zh" else "") + text[m.end() :].lstrip()
            return [first, second]
    if not cuts:
        return [text]
    parts, pos = [], 0
    subject_end = binding[0].start if binding else 0
    for cut, nxt in cuts:
        parts.append(text[pos:cut])
        pos = nxt
    parts.append(text[pos:])
    out = [parts[0]]
    for part in parts[1:]:
        mods = find_modals(part)
        has_subject = mods and part[: mods[0].start].strip()
        out.append(
            part if has_subject else text[:subject_end].strip() + (" " if language != "zh" else "") + part
        )
    return out


# -------------------------------------------------------------------------------------------- parsing

_EN_KEYWORDS = (
    ("in the event of", "if"),
    ("in case of", "if"),
    ("whenever", "when"),
    ("when", "when"),
    ("once", "when"),
    ("if", "if"),
    ("while", "while"),
    ("where", "where"),
)


def _lead_split(text: str, stop: int, separators: str) -> tuple[str, str]:
    """Split off a leading phrase ending at the first top-level separator before ``stop``."""
    depth = 0
    for i, ch in enumerate(text[:stop]):
        if ch in "(（[<":
            depth += 1
        elif ch in ")）]>":
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            return text[:i].strip(), text[i + 1 :].strip()
    return "", text


def _parse(text: str, language: str, passive: bool) -> _Part:
    text = text.strip().rstrip("。.;；!！")
    modals = [u for u in find_modals(text) if u.strength != "weak" or u.word.lower() in ("will", "should")]
    if not modals:
        return _Part(None, "", "", "", False, text)
    lead, rest = _lead_split(text, modals[0].start, ",，")
    kind, cond = None, ""
    if language == "zh":
        m = _ZH_CONDITION.match(text)
        if m:
            if m.group("if"):
                kind, cond = "if", m.group("cond2")
            else:
                tail = m.group("tail")
                kind = "while" if tail in ("期间", "状态下", "情况下", "下") else "when"
                cond = m.group("cond1") + ("" if tail in ("时", "状态下", "情况下", "下", "期间") else tail)
            lead, rest = "", text[m.end() :]
    elif lead:
        low = lead.lower()
        for kw, k in _EN_KEYWORDS:
            if low.startswith(kw + " "):
                kind, cond, lead = k, lead[len(kw) :].strip(), ""
                break
    escape = (zh.PLACEHOLDERS if language == "zh" else en.PLACEHOLDERS)["escape_clause"]
    if lead.startswith("<"):
        # An escape clause turned placeholder: the EARS optional-feature form asks for its condition.
        kind, cond, lead = ("if" if language == "zh" else "where"), lead, ""
    modal = next(u for u in find_modals(rest) if u.strength != "weak" or u.word.lower() in ("will", "should"))
    subject = rest[: modal.start].strip(" ,，")
    if kind is None and subject.startswith(escape):
        kind, cond, subject = (
            ("if" if language == "zh" else "where"),
            escape,
            subject[len(escape) :].strip(" ,，"),
        )
    response = rest[modal.end :].strip()
    negative = bool(re.search(r"not|不|禁止|严禁", modal.word))
    if language != "zh" and kind is None:
        t = _EN_TRAILING_CONDITION.search(response)
        if t:
            kind, cond = _EN_KIND.get(t.group("kw").lower(), "when"), t.group("cond").strip()
            response = response[: t.start()].strip()
    if language != "zh" and response.lower().startswith("not "):
        negative, response = True, response[4:]
    if passive and subject and not negative:
        subject, response = _active_voice(subject, response, language)
    return _Part(kind, cond, lead, subject, negative, response)


def _active_voice(subject: str, response: str, language: str) -> tuple[str, str]:
    """Keep a passive statement's content but give it an explicit actor placeholder."""
    if language == "zh":
        return zh.PLACEHOLDERS["actor"], f"确保{subject}{response}"
    rest = re.sub(r"^be\s+", "", response)
    be = "are" if _plural(subject) else "is"
    return en.PLACEHOLDERS["actor"], f"ensure that {_np_en(subject)} {be} {rest}"


# --------------------------------------------------------------------------------------------- rendering


def _plural(subject: str) -> bool:
    last = subject.split()[-1] if subject.split() else ""
    if re.match(r"(?:each|every|any)\b", subject, re.IGNORECASE):
        return False
    return bool(re.fullmatch(r"[A-Za-z]+[^s]s", last)) or last.lower() in ("data", "criteria")


def _np_en(subject: str) -> str:
    """A noun phrase fit for the middle of a sentence: 'Inventory data' -> 'inventory data'."""
    first = subject.split()[0] if subject.split() else ""
    if first[:1].isupper() and first[1:].islower():
        return subject[0].lower() + subject[1:]
    return subject


_PREPOSITION_LEAD = re.compile(
    r"(?:during|with|for|in|on|at|after|before|upon|under|within)\b", re.IGNORECASE
)


def _subject_en(subject: str) -> str:
    if not subject:
        return "the " + en.PLACEHOLDERS["actor"]
    if subject.startswith("<"):
        return "the " + subject
    np_ = _np_en(subject)
    if re.match(r"(?:the|a|an|each|every|all|any|no)\b", np_) or _PREPOSITION_LEAD.match(np_):
        return np_
    return "the " + np_


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def _ears_en(p: _Part) -> str:
    if not p.subject and not p.condition_kind and not p.lead and " shall " not in f" {p.response} ":
        return f"The {en.PLACEHOLDERS['actor']} shall ensure that: {p.response}."
    modal = "shall not" if p.negative else "shall"
    core = f"{_subject_en(p.subject)} {modal} {p.response}".strip()
    if p.lead:
        core = f"{p.lead}, {core}"
    if p.condition_kind == "when":
        return f"When {p.condition}, {core}."
    if p.condition_kind == "if":
        return f"If {p.condition}, then {core}."
    if p.condition_kind == "while":
        return f"While {p.condition}, {core}."
    if p.condition_kind == "where":
        return f"Where {p.condition}, {core}."
    return _capital(core) + "."


def _ears_zh(p: _Part) -> str:
    if not p.subject and not p.condition_kind and not p.lead and not find_modals(p.response):
        return f"{zh.PLACEHOLDERS['actor']}应确保：{p.response}。"
    subject = p.subject or zh.PLACEHOLDERS["actor"]
    modal = "不应" if p.negative else "应"
    gap = " " if re.search(r"[A-Za-z0-9)]$", subject) else ""
    core = f"{subject}{gap}{modal}{p.response}"
    if p.lead:
        core = f"{p.lead}，{core}"
    if p.condition_kind == "when":
        return f"当{p.condition}时，{core}。"
    if p.condition_kind == "while":
        return f"在{p.condition}状态下，{core}。"
    if p.condition_kind in ("if", "where"):
        return f"若{p.condition}，则{core}。"
    return f"{core}。"


def _third_person(response: str, plural: bool) -> str:
    """'send the order' -> 'sends the order' for a Then clause; leaves anything unusual as it is."""
    words = response.split(" ")
    i = 1 if len(words) > 1 and words[0].endswith("ly") and words[0].isalpha() else 0
    verb = words[i] if words else ""
    if not re.fullmatch(r"[a-z]+(?:-[a-z]+)?", verb):
        return response
    if verb == "be":
        verb = "are" if plural else "is"
    elif plural:
        return response
    elif verb == "have":
        verb = "has"
    elif re.search(r"(?:s|sh|ch|x|z|o)$", verb):
        verb += "es"
    elif re.search(r"[^aeiou]y$", verb):
        verb = verb[:-1] + "ies"
    else:
        verb += "s"
    words[i] = verb
    return " ".join(words)


def _criteria_en(p: _Part, findings: list[Finding]) -> list[str]:
    given = "Given <precondition / initial state>"
    if p.condition_kind in ("while", "where") and p.condition:
        given = f"Given {p.condition}"
    elif p.lead:
        given = f"Given {p.lead[0].lower() + p.lead[1:]}"
    when = (
        f"when {p.condition}"
        if p.condition_kind in ("when", "if") and p.condition
        else "when <triggering event>"
    )
    subject = _subject_en(p.subject)
    plural = _plural(p.subject)
    if p.negative:
        then = f"then {subject} {'do' if plural else 'does'} not {p.response}"
    else:
        then = f"then {subject} {_third_person(p.response, plural)}"
    out = [f"{given}, {when}, {then}."]
    out += _measurement_criteria(findings, "en")
    return out


def _criteria_zh(p: _Part, findings: list[Finding]) -> list[str]:
    given = "鉴于<前置条件/初始状态>"
    if p.condition_kind in ("while", "where") and p.condition:
        given = f"鉴于{p.condition}"
    elif p.lead:
        given = f"鉴于{p.lead}"
    when = f"当{p.condition}时" if p.condition_kind in ("when", "if") and p.condition else "当<触发事件>时"
    subject = p.subject or zh.PLACEHOLDERS["actor"]
    gap = " " if re.search(r"[A-Za-z0-9)]$", subject) else ""
    then = f"那么{subject}{gap}不{p.response}" if p.negative else f"那么{subject}{gap}{p.response}"
    out = [f"{given}，{when}，{then}。"]
    out += _measurement_criteria(findings, "zh")
    return out


_MEASURE_TEXT = {
    "en": {
        "time": "Then the 95th-percentile time measured over <N> test runs is ≤ <target>.",
        "usability": "Then <n> of <m> representative users complete <task> within <time> without assistance.",
        "quantity": "Then the delivered items match the agreed list <list / number> exactly.",
        "criterion": "Then the result meets <measurable criterion> as checked by <test method>.",
        "untestable_absolute": "Then the measured rate over <test period> is ≥ <target %>.",
        "vague_timing": "Then the time from <start event> to <end event> is ≤ <deadline> (or the interval is "
        "<interval>).",
        "missing_unit": "Then the measured value is <comparison> <value with unit>.",
        "open_ended": "Then every item of <complete list> is covered by a test case.",
    },
    "zh": {
        "time": "那么在 <N> 次测试中测得的第 95 百分位耗时 ≤ <目标值>。",
        "usability": "那么 <m> 名典型用户中至少 <n> 名在 <时间> 内无协助完成 <任务>。",
        "quantity": "那么交付内容与约定清单 <清单/数量> 完全一致。",
        "criterion": "那么结果满足 <可度量标准>，验证方法为 <测试方法>。",
        "untestable_absolute": "那么在 <考核周期> 内测得的比率 ≥ <目标百分比>。",
        "vague_timing": "那么从 <起始事件> 到 <结束事件> 的时间 ≤ <时限>（或间隔为 <间隔>）。",
        "missing_unit": "那么测得的数值 <比较关系> <数值及单位>。",
        "open_ended": "那么 <完整清单> 中的每一项都有对应测试用例。",
    },
}


def _measurement_criteria(findings: list[Finding], language: str) -> list[str]:
    """One extra Then per kind of vagueness, telling the tester what must be measured."""
    texts = _MEASURE_TEXT[language]
    keys: list[str] = []
    for f in findings:
        if f.rule == "vague_term":
            word = f.words[0] if f.words else ""
            keys.append(en.VAGUE_TERMS.get(word.lower()) or zh.VAGUE_TERMS.get(word) or "criterion")
        elif f.rule in texts:
            keys.append(f.rule)
    seen: list[str] = []
    for k in keys:
        if k not in seen:
            seen.append(k)
    prefix = "鉴于 <同上>，当 <同上> 时，" if language == "zh" else "Given <as above>, when <as above>, "
    out = []
    for k in seen:
        line = texts[k]
        out.append(prefix + line if language == "zh" else prefix + line[0].lower() + line[1:])
    return out


# ---------------------------------------------------------------------------------------------- entry


def suggest_rewrite(statement: str, findings: list[Finding], language: str) -> tuple[str, list[str]]:
    """(EARS skeleton, acceptance criteria); a compound statement gives one EARS line per obligation."""
    lang = "zh" if language == "zh" else "en"
    text = _merge_placeholders(_apply_placeholders(statement, findings, lang))
    pieces = [p for p in _split_compound(text, lang) if p.strip()]
    if len(pieces) == 1:
        # Placeholders can hide the pattern (被<...>清理), so a single statement keeps its own verdict.
        parts = [_parse(pieces[0], lang, any(f.rule == "passive_no_actor" for f in findings))]
    else:
        parts = [_parse(p, lang, _actorless(p, lang)) for p in pieces]
    render = _ears_zh if lang == "zh" else _ears_en
    criteria_of = _criteria_zh if lang == "zh" else _criteria_en
    ears = "\n".join(render(p) for p in parts)
    criteria: list[str] = []
    for i, p in enumerate(parts):
        criteria += criteria_of(p, findings if i == 0 else [])
    return ears, criteria
