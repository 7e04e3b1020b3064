"""The question's specifics, and whether the passages behind an answer hold them.

A question whose topic is in the documents but whose answer is not ("the 2025 kickoff" when the minutes are of
2026, "IF-08" when the interface list ends at IF-07, "Anna Keller" when the passage says Sun Hao confirmed it)
retrieves the near-miss passage, and the small model answers from it: the citation checks pass, because the
answer is in that passage. What gives the near miss away is plain text: the year, the date, the identifier or
the name that pins which event or thing the question means is in none of the passages the answer stands on.

Everything here is read from the text with patterns, no model; and every rule leans towards keeping an answer
(a false refusal is costly, a missed near miss is today's behaviour):

- years (2025, 2026年) and full dates (2026年5月8日, 8 May 2026, May 8, 2026-05-08, 5月8日), compared as
  (year, month, day) so that every written form of a date matches every other; a date without a year in the
  question matches any year, and a date within a range a passage states (7月6日至8月7日) is held by it. A
  year or date is missing only when the passages do state years or dates, none of them the question's:
  passages that state none cannot contradict it.
- identifiers as documents write them (IF-05, REQ-ERP-001, RSK-0003, ECPM-INT-MM-003, HK-GW200): upper-case
  segments joined by hyphens, one with a digit; "IF-5" and "IF-05" are one id, and "IF-01 至 IF-07" holds
  IF-05. An id is missing only when the passages hold another id of its family (same letter segments).
- versions (v1.0, v4): matched by number, "v4.0" = "v4" = "4.0"; missing only when the passages write some
  other v-version.
- names: runs of capitalised Latin words and coined names (Thomas Berger, Werkwelt Systems GmbH, WerkOS; see
  latin_names), and Chinese personal names that jieba's name recogniser finds (see chinese_names). A name is
  only required of passages in its own script's language: "Zhou Tao" is written 周涛 in a Chinese passage,
  and a Latin name in a question over Chinese passages is no evidence of a near miss. A name is present when
  any of its words is (see _name_present).

bench/near_miss.py measures the check on the demo project's near-miss questions and, as false refusals, on
XQuAD's answerable questions against their own paragraphs.

Left out on purpose: months without a day, quantities and figures (the citation check already requires an
answer's numbers to be in its passage), Chinese organisation names (jieba's tags for them are unreliable).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType

from assistant.language import ENGLISH_STOPWORDS, HAN, HAN_RUN, detect_language

# ---------------------------------------------------------------------------------------------- patterns

# Years a document about a project states: 1900-2099. A bare number in that range counts when nothing glues
# it to a larger figure (1,950 / 19.99 / 2026:10 / REQ-2025 / 50%).
_YEAR = r"(?:19|20)\d{2}"
_QUESTION_YEAR = re.compile(rf"(?<![0-9A-Za-z.,:/$€¥-])({_YEAR})(?![0-9%]|[.,:]\d)")
# In passages, any such number counts as a year (a phone number ending in 2026 too): a year found by mistake
# only keeps an answer.
_PASSAGE_YEAR = re.compile(rf"(?<![0-9])({_YEAR})(?![0-9])")

# 2026-05-08, 2026/5/8, 2026.05.08; an optional day range after a slash is not read.
_ISO_DATE = re.compile(r"(?<![0-9])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![0-9])")
# 2026年5月8日, 5月8日, 5月8号, and ranges 8月15日至16日 / 6月22日至8月7日 (the range's end takes the
# start's year and, when it has none of its own, its month).
_CJK_DATE = re.compile(
    r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"
    r"(?:\s*(?:至|到|~|～|-|–|—)\s*(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*[日号])?"
)
# Month names as English writes them, capitalised (so that "may" the verb is never a month).
MONTHS = {
    "January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6, "July": 7, "August": 8,
    "September": 9, "October": 10, "November": 11, "December": 12,
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9, "Oct": 10,
    "Nov": 11, "Dec": 12,
}  # fmt: skip
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?![A-Za-z])"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DASH = r"\s*[-–—]\s*"
# 8 May 2026, 15-16 August 2026, Friday 14 August, 8th May.
_DAY_MONTH = re.compile(
    rf"(?<![0-9])(\d{{1,2}}){_ORDINAL}(?:{_DASH}(\d{{1,2}}){_ORDINAL})?\s+{_MONTH}(?:,?\s+(\d{{4}}))?(?![0-9])"
)
# May 8, 2026; March 30; August 15-16. "May 2026" (a month) is not a date: the day must end before a digit.
_MONTH_DAY = re.compile(
    rf"(?<![A-Za-z]){_MONTH}\s+(\d{{1,2}}){_ORDINAL}(?:{_DASH}(\d{{1,2}}){_ORDINAL})?(?:,?\s+(\d{{4}}))?(?![0-9])"
)
# What joins the two ends of a range of dates written apart: "2026-06-22 to 2026-08-07", "7月6日至8月7日".
_DATE_RANGE_GAP = re.compile(r"\s*(?:至|到|~|～|-|–|—|to|until|till|through)\s*")
# Passages only: 08-15 (month-day, as tables and schedules write it), two digits each.
_MONTH_DAY_NUMERIC = re.compile(r"(?<![0-9A-Za-z-])(\d{2})-(\d{2})(?![0-9-])")

# Identifiers: upper-case segments joined by hyphens, the first starting with a letter, one holding a digit.
_ID = re.compile(r"(?<![0-9A-Za-z_-])([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)(?![0-9A-Za-z_]|-[0-9A-Za-z])")
# What joins the two ends of a range of ids: "IF-01 至 IF-07", "IF-01 to IF-07", "A-01…A-10".
_ID_RANGE_GAP = re.compile(r"\s*(?:至|到|~|～|-|–|—|…|\.\.\.|to|through)\s*")
# The largest id range expanded; a wider "range" is more likely two unrelated ids.
MAX_ID_RANGE = 100

# Versions: v1.0, V4, v3.2.1 (not the v1 of "mes.workreport.v1", which is part of a name).
_QUESTION_VERSION = re.compile(r"(?<![0-9A-Za-z.])[vV](\d+(?:\.\d+)*)(?![0-9]|\.\d)")
_PASSAGE_VERSION = re.compile(r"(?<![0-9A-Za-z])[vV](\d+(?:\.\d+)*)(?![0-9]|\.\d)")
_DOTTED_NUMBER = re.compile(r"(?<![0-9.])(\d+(?:\.\d+)+)(?![0-9]|\.\d)")

# Latin-script words, accented letters included (Müller), with an apostrophe inside (O'Neil, Werkwelt's).
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’]*")
# Where a new sentence (or a quoted title) starts: its first word is capitalised anyway.
_SENTENCE_START = re.compile(r"(?:^|[.!?;:。！？；：\"“”'‘(（\[【\n])\s*$")
# Capitalised words that are not names: weekdays, and languages and nationalities (a question may say "the
# Chinese edition" of a document the passages call 华东精密_集成需求规格说明书).
NOT_NAMES = frozenset([
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Chinese", "English", "German", "Mandarin", "I",
])  # fmt: skip
# Letters-only words of a passage, for finding a name's words in it.
_WORD = re.compile(r"[^\W\d_]+")
# A name's words shorter than this are not looked for alone (Li, Wu, de, van: they match too much or too
# little); a word is found when a passage word starts with all but its last two letters, and at least this
# many (Bronco in Broncos, Kenya's in Kenya; but not Anna in Annual).
NAME_WORD_MIN_LETTERS = 3
NAME_STEM_LETTERS = 4
# A capital after a small letter inside a word: a coined name (WerkOS, CubeStore, McKinsey).
_INNER_CAPITAL = re.compile(r"[a-zß-ÿ][A-ZÀ-Þ]")
# A name's possessive ending ("Werkwelt's").
_POSSESSIVE = re.compile(r"['’]s?$")  # noqa: RUF001 (the typographic apostrophe is meant)

# Chinese personal names: jieba tags 'nr', two or three hanzi. Only names its HMM recogniser finds (the word
# is not in its dictionary): the dictionary tags many ordinary words 'nr' (谢谢, 许可, 顾问, 明白, 阳光, 加密传输
# and single characters as 周, 仓), while on the demo project's text every 'nr' it finds outside its
# dictionary is a person (王磊, 周涛, 吴静, 孙浩, 黄伟, 赵敏 ...) or a title (张总). The price: names it holds in
# the dictionary (李娜, 张建国) or cuts apart (何志远 as 何 + 志远) are not checked.
CHINESE_NAME_TAG = "nr"
CHINESE_NAME_LENGTHS = (2, 3)

# ---------------------------------------------------------------------------------------------- the facts


@dataclass(frozen=True)
class Specific:
    """One fact of the question that pins what it asks about."""

    kind: str  # "year" | "date" | "id" | "version" | "name"
    text: str  # as the question writes it: what the refusal names
    key: tuple[object, ...]  # normalised: (year,), (year or None, month, day), id segments, version, words


@dataclass
class Evidence:
    """A passage an answer stands on, with its source (file name, section): the model reads both, and file
    names often carry the date ("2026-03-16_interface-workshop-minutes.md")."""

    text: str
    source: str = ""


@dataclass
class _Facts:
    """What a set of passages states, in the forms specifics are compared in."""

    lowered: str = ""
    years: set[int] = field(default_factory=set)
    dates: set[Date] = field(default_factory=set)
    # Per passage: its dates without a year, and the years it states (which such a date is read against).
    undated: list[tuple[set[tuple[int, int]], set[int]]] = field(default_factory=list)
    # Per passage: the ranges it states, and its years.
    ranges: list[tuple[list[tuple[Date, Date]], set[int]]] = field(default_factory=list)
    ids: set[tuple[object, ...]] = field(default_factory=set)
    id_families: set[tuple[object, ...]] = field(default_factory=set)
    versions: set[str] = field(default_factory=set)
    has_v_version: bool = False
    languages: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)  # lower-case words, for Latin names
    texts: list[str] = field(default_factory=list)

    def names_someone(self) -> bool:
        """Whether the passages name a person themselves (jieba's recogniser, as for the question)."""
        if self._names_someone is None:
            self._names_someone = any(chinese_names(t) for t in self.texts)
        return self._names_someone

    _names_someone: bool | None = None


def question_specifics(question: str) -> list[Specific]:
    """The question's years, dates, ids, versions and names, in the order the kinds are listed."""
    masked = question
    found: list[Specific] = []
    for m in _ID.finditer(question):
        key = id_key(m.group(1))
        if key is not None:
            found.append(Specific("id", m.group(1), key))
            masked = _mask(masked, m.start(), m.end())
    for m in _QUESTION_VERSION.finditer(masked):
        found.append(Specific("version", m.group(0), (version_key(m.group(1)),)))
        masked = _mask(masked, m.start(), m.end())
    for span, date in _dates(masked, passage=False):
        found.append(Specific("date", question[span[0] : span[1]].strip(), date))
        masked = _mask(masked, *span)
    for m in _QUESTION_YEAR.finditer(masked):
        end = m.end() + (1 if masked[m.end() : m.end() + 1] == "年" else 0)
        found.append(Specific("year", question[m.start() : end], (int(m.group(1)),)))
        masked = _mask(masked, m.start(), end)
    for text in latin_names(masked):
        found.append(Specific("name", text, tuple(_name_words(text))))
    for text in chinese_names(masked):
        found.append(Specific("name", text, (text,)))
    return _unique(found)


def missing_specifics(question: str, evidence: Sequence[Evidence]) -> list[Specific]:
    """The question's specifics that none of the passages holds, among those they could contradict (see the
    module's description). Empty when there are no passages: nothing to compare with."""
    if not evidence:
        return []
    facts = _facts(evidence)
    return [s for s in question_specifics(question) if not _present(s, facts)]


# ---------------------------------------------------------------------------------------------- matching


def _present(s: Specific, facts: _Facts) -> bool:
    """True when the passages hold the specific, or cannot contradict it."""
    if s.kind == "year":
        return not facts.years or s.key[0] in facts.years
    if s.kind == "date":
        return _date_present(s.key, facts)
    if s.kind == "id":
        # As a fallback the id as the question writes it, whole, anywhere (an id in lower case, say).
        written = re.search(rf"(?<![0-9a-z_-]){re.escape(s.text.lower())}(?![0-9a-z_])", facts.lowered)
        return s.key in facts.ids or written is not None or _id_family(s.key) not in facts.id_families
    if s.kind == "version":
        return not facts.has_v_version or s.key[0] in facts.versions
    return _name_present(s, facts)


def _date_present(key: tuple[object, ...], facts: _Facts) -> bool:
    year, month, day = key
    if not facts.dates:
        # No date to compare with: only the year can disagree.
        return year is None or not facts.years or year in facts.years
    if (year, month, day) in facts.dates or (
        year is None and any((m, d) == (month, day) for _, m, d in facts.dates)
    ):
        return True
    # "5月8日" in a passage that states 2026 (or no year at all) is 2026年5月8日.
    if any((month, day) in days and (not years or year in years) for days, years in facts.undated):
        return True
    return _in_a_range((year, month, day), facts)


def _in_a_range(date: tuple[object, ...], facts: _Facts) -> bool:
    """A date within a range a passage states: "is the assessment on by 20 July?" against 7月6日至8月7日 asks
    about a date the passage holds without writing it. Ranges across a new year are not read."""
    year, month, day = date
    for ranges, years in facts.ranges:
        for (y1, m1, d1), (y2, m2, d2) in ranges:
            range_year = y1 if y1 is not None else y2
            if (y1 is not None and y2 is not None and y1 != y2) or not (m1, d1) <= (month, day) <= (m2, d2):
                continue
            if year is None or year == range_year or (range_year is None and (not years or year in years)):
                return True
    return False


def _name_present(s: Specific, facts: _Facts) -> bool:
    """A name is looked for only when every passage is in its script's language (周涛 is Zhou Tao in English).
    Leniently: a Latin name is there when any of its words of three letters or more is, as a word or the
    start of one (Keller in Kellers; so "Thomas Müller" is there when a passage names Thomas Berger), or its
    initials are (U.S. for United States). A Chinese name is looked for only when the
    passages name someone themselves (a passage about no person cannot contradict one), and is there when two
    adjacent characters of it are (jieba's recogniser sometimes takes a character too many: 唐娜诺 for 唐娜)."""
    latin = not HAN.search(s.text)
    if facts.languages != {"en" if latin else "zh"}:
        return True
    if not latin:
        name = str(s.key[0])
        if not facts.names_someone():
            return True
        return any(name[i : i + 2] in facts.lowered for i in range(len(name) - 1))
    words = [str(w) for w in s.key]
    checked = [w for w in words if len(w) >= NAME_WORD_MIN_LETTERS]
    if not checked:
        return True  # "Li Na": too short to tell from other words
    initials = r"\.?".join(re.escape(w[0]) for w in words)
    if len(words) > 1 and re.search(rf"(?<![^\W\d_]){initials}\.?(?![^\W\d_])", facts.lowered):
        return True
    return any(_word_in(w, facts.words) for w in checked)


def _word_in(word: str, words: set[str]) -> bool:
    """The word, or a word that starts like it (all but its last two letters, at least NAME_STEM_LETTERS)."""
    if len(word) < NAME_STEM_LETTERS:
        return word in words
    stem = word[: max(NAME_STEM_LETTERS, len(word) - 2)]
    return any(w.startswith(stem) for w in words)


def _facts(evidence: Sequence[Evidence]) -> _Facts:
    facts = _Facts()
    texts = []
    for e in evidence:
        text = f"{e.source}\n{e.text}" if e.source else e.text
        texts.append(text)
        facts.languages.add(detect_language(e.text))
        years = {int(y) for y in _PASSAGE_YEAR.findall(text)}
        facts.years |= years
        dates = {d for _, d in _dates(text, passage=True)}
        facts.dates |= dates
        facts.undated.append(({(m, d) for y, m, d in dates if y is None}, years))
        facts.ranges.append((_date_ranges(text), years))
        for key in passage_ids(text):
            facts.ids.add(key)
            facts.id_families.add(_id_family(key))
        v_versions = {version_key(v) for v in _PASSAGE_VERSION.findall(text)}
        facts.has_v_version = facts.has_v_version or bool(v_versions)
        facts.versions |= v_versions | {version_key(v) for v in _DOTTED_NUMBER.findall(text)}
    facts.languages.discard("unknown")  # a passage without words says nothing about the names' script
    facts.texts = texts
    facts.lowered = "\n".join(texts).lower()
    facts.words = set(_WORD.findall(facts.lowered))
    return facts


# ---------------------------------------------------------------------------------------------- dates


Date = tuple[int | None, int, int]  # (year or None, month, day)


def _dates(text: str, *, passage: bool) -> list[tuple[tuple[int, int], Date]]:
    """(span, date) of every date written in ``text``; a range gives both its ends, each with the range's span."""
    return [(span, d) for span, dates in _date_matches(text, passage=passage) for d in dates]


def _date_matches(text: str, *, passage: bool) -> list[tuple[tuple[int, int], list[Date]]]:
    """Every written date or range of dates: its span and its dates (two for a range), in text order. Spans
    already read by one pattern are not read again by the next. ``passage`` also reads the numeric month-day
    form 08-15, too ambiguous to require of a question."""
    out: list[tuple[tuple[int, int], list[Date]]] = []

    def add(span: tuple[int, int], *dates: Date) -> None:
        if any(s < span[1] and span[0] < e for (s, e), _ in out):
            return
        valid = [d for d in dates if 1 <= d[1] <= 12 and 1 <= d[2] <= 31]
        if valid:
            out.append((span, valid))

    for m in _ISO_DATE.finditer(text):
        add(m.span(), (int(m.group(1)), int(m.group(3)), int(m.group(4))))
    for m in _CJK_DATE.finditer(text):
        year = int(m.group(1)) if m.group(1) else None
        month = int(m.group(2))
        dates: list[Date] = [(year, month, int(m.group(3)))]
        if m.group(5):
            dates.append((year, int(m.group(4)) if m.group(4) else month, int(m.group(5))))
        add(m.span(), *dates)
    for m in _DAY_MONTH.finditer(text):
        month, year = MONTHS[m.group(3)], int(m.group(4)) if m.group(4) else None
        days = [int(m.group(1))] + ([int(m.group(2))] if m.group(2) else [])
        add(m.span(), *[(year, month, d) for d in days])
    for m in _MONTH_DAY.finditer(text):
        month, year = MONTHS[m.group(1)], int(m.group(4)) if m.group(4) else None
        days = [int(m.group(2))] + ([int(m.group(3))] if m.group(3) else [])
        add(m.span(), *[(year, month, d) for d in days])
    if passage:
        for m in _MONTH_DAY_NUMERIC.finditer(text):
            add(m.span(), (None, int(m.group(1)), int(m.group(2))))
    return sorted(out)


def _date_ranges(text: str) -> list[tuple[Date, Date]]:
    """The ranges a passage states: within one written date (8月15日至16日, 15-16 August) or between two
    joined by a range word (2026-06-22 to 2026-08-07, 4月13日至6月19日, from 20 April until 31 July)."""
    matches = _date_matches(text, passage=True)
    ranges = [(dates[0], dates[-1]) for _, dates in matches if len(dates) == 2]
    for (span1, dates1), (span2, dates2) in zip(matches, matches[1:], strict=False):
        if _DATE_RANGE_GAP.fullmatch(text[span1[1] : span2[0]]):
            ranges.append((dates1[-1], dates2[0]))
    return ranges


# ---------------------------------------------------------------------------------------------- ids


def id_key(text: str) -> tuple[object, ...] | None:
    """An id as runs of letters and numbers, numbers without leading zeros: IF-05 = IF-5 = (IF, 5);
    HK-GW200 = (HK, GW, 200). None for a hyphenated word without a digit (Kick-off is no id)."""
    runs = re.findall(r"[A-Za-z]+|\d+", text.upper())
    if not any(r.isdigit() for r in runs):
        return None
    return tuple(int(r) if r.isdigit() else r for r in runs)


def _id_family(key: tuple[object, ...]) -> tuple[object, ...]:
    """The letter runs before the first number: REQ-ERP-001 -> (REQ, ERP); IF-05 -> (IF,)."""
    family = []
    for run in key:
        if isinstance(run, int):
            break
        family.append(run)
    return tuple(family)


def passage_ids(text: str) -> set[tuple[object, ...]]:
    """The ids a passage writes, ranges expanded ("IF-01 至 IF-07" holds IF-01 to IF-07)."""
    found = [(m, id_key(m.group(1))) for m in _ID.finditer(text)]
    keys = {k for _, k in found if k is not None}
    for (m1, k1), (m2, k2) in zip(found, found[1:], strict=False):
        if k1 is None or k2 is None or not _ID_RANGE_GAP.fullmatch(text[m1.end() : m2.start()]):
            continue
        same_family = len(k1) == len(k2) and k1[:-1] == k2[:-1]
        first, last = k1[-1], k2[-1]
        if (
            same_family
            and isinstance(first, int)
            and isinstance(last, int)
            and 0 < last - first <= MAX_ID_RANGE
        ):
            keys |= {(*k1[:-1], n) for n in range(first, last + 1)}
    return keys


def version_key(number: str) -> str:
    """A version without its trailing zero parts: 4.0 -> 4, 3.2.0 -> 3.2, 3.1.1 stays."""
    parts = number.split(".")
    while len(parts) > 1 and int(parts[-1]) == 0:
        parts.pop()
    return ".".join(str(int(p)) for p in parts)


# ---------------------------------------------------------------------------------------------- names


def latin_names(text: str) -> list[str]:
    """Names in the Latin script: runs of two or more capitalised words (Thomas Berger, Werkwelt Systems GmbH,
    Assembly Workshop) and single words with a capital inside (WerkOS, CubeWMS), without a run's leading
    function and question words (Does, The), weekdays, months and NOT_NAMES. All-capital words (ERP, MES, IF)
    are acronyms of systems, written the same in both languages; they end a run.

    A single capitalised word (Werkwelt, Siemens, Harvard, French) is not taken: on XQuAD, taking them refused
    33 of 1,190 English questions against their own gold paragraph (adjectives such as French or Indian,
    plurals, typos, topics the paragraph does not repeat), two-word names and inner capitals 6."""
    runs: list[list[re.Match[str]]] = []
    for m in _LATIN_WORD.finditer(text):
        word = _strip_possessive(m.group(0))
        capitalised = word[0].isupper() and not (len(word) > 1 and word.isupper())
        previous = runs[-1][-1] if runs and runs[-1] else None
        # Words join when only spaces separate them, and the first is not a possessive (Werkwelt's Thomas).
        if (
            capitalised
            and previous
            and _joined(text, previous.end(), m.start())
            and not _POSSESSIVE.search(previous.group(0))
        ):
            runs[-1].append(m)
        else:
            runs.append([m] if capitalised else [])
    names = []
    for run in runs:
        # A sentence's first word is capitalised whatever it is: "Has Thomas Berger confirmed" names Thomas
        # Berger. A two-word run there is kept whole ("Thomas Berger said ...").
        if len(run) > 2 and _SENTENCE_START.search(text[: run[0].start()]):
            run = run[1:]
        while run and _strip_possessive(run[0].group(0)).lower() in ENGLISH_STOPWORDS:
            run = run[1:]
        words = [_strip_possessive(w.group(0)) for w in run]
        words = [w for w in words if w not in NOT_NAMES and w not in MONTHS]
        if len(words) >= 2 or (words and _INNER_CAPITAL.search(words[0])):
            names.append(" ".join(words))
    return names


def _joined(text: str, end: int, start: int) -> bool:
    """Two words belong to one name when only spaces (one line) separate them."""
    gap = text[end:start]
    return bool(gap) and gap.strip(" ") == ""


def _strip_possessive(word: str) -> str:
    return _POSSESSIVE.sub("", word)


def _name_words(name: str) -> list[str]:
    return [w.lower() for w in name.split()]


_posseg_lock = threading.Lock()


@lru_cache(maxsize=1)
def _posseg() -> ModuleType:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg


def chinese_names(text: str) -> list[str]:
    """Chinese personal names jieba's recogniser finds (see CHINESE_NAME_TAG); none without hanzi."""
    if not HAN.search(text):
        return []
    posseg = _posseg()
    with _posseg_lock:
        tagged = [(p.word, p.flag) for p in posseg.cut(text)]
        dictionary = posseg.dt.word_tag_tab
        return [
            w
            for w, flag in tagged
            if flag == CHINESE_NAME_TAG
            and len(w) in CHINESE_NAME_LENGTHS
            and HAN_RUN.fullmatch(w)
            and w not in dictionary
        ]


# ---------------------------------------------------------------------------------------------- helpers


def _mask(text: str, start: int, end: int) -> str:
    """Blank out what one kind has read so the next does not read it again (2026 in 2026-05-08 is no
    separate year, May in 8 May no name); the length is kept, so spans stay valid."""
    return text[:start] + " " * (end - start) + text[end:]


def _unique(found: Iterable[Specific]) -> list[Specific]:
    seen: set[tuple[str, tuple[object, ...]]] = set()
    out = []
    for s in found:
        if (s.kind, s.key) not in seen:
            seen.add((s.kind, s.key))
            out.append(s)
    return out
