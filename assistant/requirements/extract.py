"""Find requirement statements in specifications, meeting notes and e-mails (Chinese and English).

The text is cut into units (prose paragraphs, list items, table rows), units into sentences, and a sentence is
kept when it carries an obligation with a plausible subject, or an identifier. Spans always point into the
original text, so ``collapse_ws(text[s:e]) == statement.text``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.language import HAN, HAN_RANGES, statement_language

from . import rules_en as en
from . import rules_zh as zh
from .models import RequirementStatement
from .rules import _alt, find_modals

# -------------------------------------------------------------------------------------------- patterns

# Prefixes that make an identifier a requirement id on its own (A-01 is an action item, D1 a decision).
REQUIREMENT_ID_PREFIXES = frozenset(
    [
        "REQ",
        "RQ",
        "REQT",
        "FR",
        "NFR",
        "NF",
        "SR",
        "SRS",
        "SYS",
        "SYR",
        "SWR",
        "HWR",
        "UR",
        "BR",
        "IR",
        "IF",
        "AC",
        "QR",
        "PR",
        "UC",
        "US",
        "TR",
        "DR",
        "CR",
        "SEC",
        "PERF",
        "F",
        "R",
    ]
)
_ID_STOP_PREFIXES = frozenset(
    [
        "SHA",
        "UTF",
        "ISO",
        "IEC",
        "IEEE",
        "GB",
        "RFC",
        "TLS",
        "SSL",
        "AES",
        "RSA",
        "MD",
        "SM",
        "COVID",
        "HTTP",
        "IPV",
        "MQTT",
        "TOP",
        "LEVEL",
        "SUBSET",
        "P",
        "Q",
        "V",
        "QOS",
    ]
)
_ID = re.compile(
    r"\[(?P<br>[A-Za-z][A-Za-z0-9]*[-_ ]?\d+(?:\.\d+)*)\]"
    r"|【(?P<cbr>[A-Za-z][A-Za-z0-9]*[-_ ]?\d+(?:\.\d+)*)】"
    r"|(?<![A-Za-z0-9])(?P<dash>[A-Z][A-Za-z0-9]{0,9}(?:[-_][A-Z][A-Za-z0-9]{0,9})*[-_]\d+(?:\.\d+)*[a-z]?)"
    r"(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])(?P<spc>(?:REQ|FR|NFR|SR|UR|BR|NF|IR|AC|UC|US)\s?\d+(?:\.\d+)*)(?![A-Za-z0-9])"
)
_OUTLINE = re.compile(r"(?P<num>\d{1,2}(?:\.\d{1,3}){1,5})\.?(?=\s)")
_LIST_MARKER = re.compile(
    r"(?:[-*+•·●○▪■□◆◇►>]|\(?\d{1,3}[.)、）](?!\d)|（\d{1,3}）|\([a-zA-Z]\)|[a-zA-Z][.)](?=\s)"
    r"|[①-⑳]|[一二三四五六七八九十]{1,3}[、．]|（[一二三四五六七八九十]{1,3}）)[ \t]*"
)
_HEADING = re.compile(r"#{1,6}\s|=\w+\s")
_TERMINAL = "。！？；!?;."
_ZH_SENT_END = re.compile(r"[。！？；!?]+[”’」』）)]*")
_EN_SENT_END = re.compile(rf"(?<=[.!?])[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9{HAN_RANGES}])")
_ABBREV = tuple(a.lower() for a in en.ABBREVIATIONS)
_SENTENCE_FINAL_ABBREV = ("etc.", "min.", "max.", "sec.", "approx.")
_WS = re.compile(r"\s+")

_EN_SYSTEM = re.compile(_alt(en.SYSTEM_NOUNS), re.IGNORECASE)
_EN_NON_SYSTEM = re.compile(_alt(en.NON_SYSTEM_SUBJECTS), re.IGNORECASE)
# Used with .match(text, pos): no "^", which would anchor at the start of the string, not at pos.
_EN_REMARK = re.compile(
    r"\s*(?:not\s+)?be\s+(?:" + "|".join(en.REMARK_VERBS) + r")\b"
    r"|\s*(?:not\s+)?(?:mention|note|say|discuss|decide|agree)\b",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,}[a-z]?\b|\b[A-Z][a-z]+[A-Z]\w*")
_ZH_SUBJECT = re.compile(_alt(zh.SUBJECT_NOUNS))
_ZH_ACTOR = re.compile(_alt(zh.ACTOR_NOUNS))
_ZH_PERSON = re.compile(r"^(?:" + "|".join(zh.PERSON_SUBJECTS) + ")")
# Present-tense capability verbs carry the obligation in many Chinese specs ("系统支持批量导入").
_ZH_CAPABILITY = re.compile(r"支持|能够|可以|具备|提供|实现|允许")
_CLAUSE_START = re.compile(r"[,;:，；：]")
_INTRO_WORDS = re.compile(r"requirement|feature|function|capabilit|需求|功能", re.IGNORECASE)


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


# ------------------------------------------------------------------------------------------------ units


@dataclass
class _Unit:
    kind: str  # sentence | list_item | table_row | heading
    start: int  # where the content starts (after any list marker and id)
    end: int
    id: str | None = None
    strong_id: bool = False
    lines: list[tuple[int, int]] = field(default_factory=list)


def _display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body)))
        pos += len(line)
    return out


def _match_id(text: str, pos: int) -> tuple[str, int, bool] | None:
    """An identifier at ``pos``: (id, end offset, whether it names a requirement on its own)."""
    m = _ID.match(text, pos)
    if m:
        ident = next(g for g in (m.group("br"), m.group("cbr"), m.group("dash"), m.group("spc")) if g)
        prefix = re.split(r"[-_ \d]", ident, maxsplit=1)[0].upper()
        if prefix in _ID_STOP_PREFIXES:
            return None
        strong = prefix in REQUIREMENT_ID_PREFIXES or m.group("br") is not None or m.group("cbr") is not None
        return ident, m.end(), strong
    m = _OUTLINE.match(text, pos)
    if m:
        return m.group("num"), m.end(), False
    return None


def _skip_separators(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] in " \t:：.)）]-–—|":
        pos += 1
    return pos


def _item_start(text: str, s: int, e: int) -> tuple[int, str | None, bool] | None:
    """If the line opens a list item or an identified requirement, where its content starts."""
    pos = s
    while pos < e and text[pos] in " \t":
        pos += 1
    marker = _LIST_MARKER.match(text, pos, e)
    is_item = False
    if marker and marker.end() > pos:
        is_item = True
        pos = marker.end()
    found = _match_id(text, pos)
    if found and (found[1] >= e or text[found[1]] in " \t:：.)）]-–—|"):
        ident, pos, strong = found
        return _skip_separators(text, pos, e), ident, strong
    if is_item:
        return pos, None, False
    return None


def _split_cells(text: str, s: int, e: int) -> list[tuple[int, int]]:
    line = text[s:e]
    sep = "|" if "|" in line else "\t"
    cells, pos = [], s
    for part in line.split(sep):
        a, b = _trim(text, pos, pos + len(part))
        pos += len(part) + 1
        cells.append((a, b))
    return cells


def _is_table_row(line: str) -> bool:
    stripped = line.strip()
    if stripped.count("|") >= 2 or " | " in stripped or stripped.startswith("|"):
        return True
    return len([c for c in line.split("\t") if c.strip()]) >= 3


def _units(text: str) -> list[_Unit]:
    lines = [(s, e) for s, e in _lines(text)]
    widths = sorted(_display_width(text[s:e].strip()) for s, e in lines if text[s:e].strip())
    wrap_width = widths[int(len(widths) * 0.9)] * 0.75 if widths else 80
    units: list[_Unit] = []
    current: _Unit | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            units.append(current)
        current = None

    for s, e in lines:
        line = text[s:e]
        stripped = line.strip()
        if not stripped:
            close()
            continue
        if _is_table_row(line):
            close()
            units.append(_Unit("table_row", s, e, lines=[(s, e)]))
            continue
        if _HEADING.match(stripped):
            close()
            units.append(_Unit("heading", s, e, lines=[(s, e)]))
            continue
        item = _item_start(text, s, e)
        if item is not None:
            close()
            start, ident, strong = item
            current = _Unit("list_item", start, e, ident, strong, [(s, e)])
            continue
        if current is not None and _continues(text, current, s, e, wrap_width):
            current.end = e
            current.lines.append((s, e))
            continue
        close()
        ls = s + (len(line) - len(line.lstrip()))
        current = _Unit("sentence", ls, e, lines=[(s, e)])
    close()
    return units


def _continues(text: str, unit: _Unit, s: int, e: int, wrap_width: float) -> bool:
    """Whether a line continues the unit above it (soft-wrapped prose) rather than starting anew."""
    ps, pe = unit.lines[-1]
    prev = text[ps:pe].rstrip()
    nxt = text[s:e].lstrip()
    if not prev or prev[-1] in _TERMINAL + "：:":
        return False
    if nxt[:1].islower() or nxt[:1] in "(（,，、":
        return True
    # Chinese line breaks are sentence breaks unless the line was visibly wrapped at the page width.
    return _display_width(prev.strip()) >= wrap_width


# ------------------------------------------------------------------------------------------- sentences


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]``.

    Chinese ends at 。！？；; English at '. ' but not after e.g. / i.e. and never inside v1.2 or 3.5.
    """
    end = len(text) if end is None else end
    cuts = []
    for m in _ZH_SENT_END.finditer(text, start, end):
        cuts.append(m.end())
    for m in _EN_SENT_END.finditer(text, start, end):
        stop = m.start()
        while stop > start and text[stop - 1] in "\"”’')]":
            stop -= 1
        word = text[max(start, stop - 12) : stop].split()[-1:] or [""]
        token = word[0].lower().lstrip('("“')
        # The whole word: "ERP." ends a sentence although "p." (page) is an abbreviation.
        abbreviation = token in _ABBREV or re.fullmatch(r"(?:[a-z]\.)+|[A-Za-z]\.", token)
        # "etc." or "5 min." can end a sentence; "e.g." and "i.e." never do.
        final = token.endswith(_SENTENCE_FINAL_ABBREV) and text[m.end() :].lstrip()[:1].isupper()
        if abbreviation and not final:
            continue
        cuts.append(m.end())
    spans, pos = [], start
    for cut in sorted(set(cuts)):
        if cut <= pos or cut > end:
            continue
        spans.append(_trim(text, pos, cut))
        pos = cut
    if pos < end:
        spans.append(_trim(text, pos, end))
    return [(a, b) for a, b in spans if b > a]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# ---------------------------------------------------------------------------------- requirement signal


def _size_ok(sentence: str) -> bool:
    cjk = len(HAN.findall(sentence))
    words = len(re.findall(r"[A-Za-z0-9]+", sentence))
    return cjk >= 5 or words >= 3 or (cjk >= 3 and words >= 1)


def has_requirement_signal(sentence: str, *, relaxed: bool = False) -> bool:
    """An obligation with a plausible subject; ``relaxed`` (ids, cells, list items) drops the subject test.

    English "shall/must" need any subject but I/we/you/the document; "should/will/needs to" need a system-like
    subject. Chinese 应/必须/不得 need a subject that is not a person; 需要/支持/能够 need a system-like one.
    """
    if sentence.rstrip().endswith(("?", "？")):
        return False
    for use in find_modals(sentence):
        if HAN.search(use.word):
            if _zh_signal(sentence, use.start, use.word, use.strength, relaxed):
                return True
        elif _en_signal(sentence, use.start, use.end, use.word, use.strength, relaxed):
            return True
    if HAN.search(sentence):
        for m in _ZH_CAPABILITY.finditer(sentence):
            subject = _subject(sentence, m.start())
            system_like = (_ZH_ACTOR.search(subject) or _ACRONYM.search(subject)) and len(subject) <= 16
            if (relaxed or system_like) and not _ZH_PERSON.match(subject):
                return True
    return False


def _subject(sentence: str, pos: int) -> str:
    starts = [m.end() for m in _CLAUSE_START.finditer(sentence, 0, pos)]
    return sentence[starts[-1] if starts else 0 : pos].strip()


def _en_signal(sentence: str, start: int, end: int, word: str, strength: str, relaxed: bool) -> bool:
    w = word.lower()
    if w in ("can", "could", "may", "might", "would", "cannot"):
        return relaxed and strength == "weak" and w in ("can", "may")
    if _EN_REMARK.match(sentence, end):
        return False
    subject = _subject(sentence, start)
    words = re.findall(r"[A-Za-z][\w\-]*", subject)
    if not words:
        return relaxed
    head = words[-1].lower()
    if _EN_NON_SYSTEM.fullmatch(head) or (len(words) <= 2 and words[0].lower() in ("i", "we", "you")):
        return False
    if strength == "strong" or relaxed:
        return True
    if any(_EN_NON_SYSTEM.fullmatch(x) for x in words):
        return False
    if w == "will":
        # "will" also narrates plans ("WP3 will model ..."): only a system-like subject makes it binding.
        return bool(_EN_SYSTEM.search(subject))
    return bool(_EN_SYSTEM.search(subject) or _ACRONYM.search(subject))


def _zh_signal(sentence: str, start: int, word: str, strength: str, relaxed: bool) -> bool:
    subject = _subject(sentence, start)
    if _ZH_PERSON.match(subject):
        return False
    if strength == "strong":
        return True
    if strength == "weak":
        return relaxed or bool(_ZH_ACTOR.search(subject) and len(subject) <= 16)
    if word == "要求":
        return True  # the pattern already demands a system or an obligation after it
    return relaxed or bool(_ZH_SUBJECT.search(subject) or _ACRONYM.search(subject))


# ------------------------------------------------------------------------------------------ extraction


def extract_requirements(text: str, *, source: dict | None = None) -> list[RequirementStatement]:
    """Requirement statements in ``text`` with their id (or None), text and character span."""
    out: list[RequirementStatement] = []
    context: str | None = None
    for unit in _units(text):
        if unit.kind == "heading":
            context = None
            continue
        if unit.kind == "table_row":
            stmt = _from_table_row(text, unit, source)
            if stmt:
                out.append(stmt)
            continue
        body = text[unit.start : unit.end].rstrip()
        if unit.id is not None and not unit.strong_id:
            context = None  # a numbered heading or clause starts a new context
        if unit.kind == "sentence":
            if body.endswith((":", "：")):
                # A lead-in: the list items below it are read against it.
                # Only the sentence that ends in the colon introduces the list.
                last = split_sentences(text, unit.start, unit.end)[-1]
                lead_in = collapse_ws(text[last[0] : last[1]])
                inherits = _INTRO_WORDS.search(lead_in) or has_requirement_signal(lead_in)
                context = lead_in if inherits else None
            else:
                context = None
        out.extend(_from_unit(text, unit, context if unit.kind == "list_item" else None, source))
    return out


def _from_unit(
    text: str, unit: _Unit, context: str | None, source: dict | None
) -> list[RequirementStatement]:
    origin = "list_item" if unit.kind == "list_item" else "sentence"
    whole = collapse_ws(text[unit.start : unit.end])
    if unit.id is not None and (unit.strong_id or has_requirement_signal(whole)):
        # An identified item is one requirement however many sentences it has.
        a, b = _trim(text, unit.start, unit.end)
        body = collapse_ws(text[a:b])
        if b > a and (has_requirement_signal(body, relaxed=True) or (unit.strong_id and _size_ok(body))):
            return [_statement(text, a, b, unit.id, origin, context, source)]
        return []
    found = []
    for a, b in split_sentences(text, unit.start, unit.end):
        sentence = collapse_ws(text[a:b])
        if not _size_ok(sentence) or sentence.endswith((":", "：")):
            continue
        inherited = context is not None and origin == "list_item" and unit.id is None
        if has_requirement_signal(sentence, relaxed=inherited) or (
            inherited and not sentence.endswith(("?", "？"))
        ):
            found.append(_statement(text, a, b, unit.id, origin, context, source))
    return found


def _from_table_row(text: str, unit: _Unit, source: dict | None) -> RequirementStatement | None:
    cells = [(a, b) for a, b in _split_cells(text, unit.start, unit.end) if b > a]
    if not cells or all(re.fullmatch(r"[:\-\s]+", text[a:b]) for a, b in cells):
        return None
    ident, strong, rest = None, False, cells
    for i, (a, b) in enumerate(cells):
        found = _match_id(text, a)
        if found and found[1] == b:
            ident, strong, rest = found[0], found[2], cells[i + 1 :]
            break
    for a, b in rest:
        cell = collapse_ws(text[a:b])
        if _size_ok(cell) and has_requirement_signal(cell, relaxed=ident is not None):
            return _statement(text, a, b, ident, "table_row", None, source)
    if ident is not None and strong and rest:
        a, b = rest[0][0], rest[-1][1]
        if _size_ok(collapse_ws(text[a:b])):
            return _statement(text, a, b, ident, "table_row", None, source)
    return None


def _statement(
    text: str, a: int, b: int, ident: str | None, origin: str, context: str | None, source: dict | None
) -> RequirementStatement:
    body = collapse_ws(text[a:b])
    return RequirementStatement(
        id=ident,
        text=body,
        span=(a, b),
        language=statement_language(body),
        origin=origin,
        context=context,
        source=dict(source) if source else None,
    )
