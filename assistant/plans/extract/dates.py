"""Dates as Chinese and English plans write them, with ranges and imprecise periods.

Recognised: 2026-03-02, 2026/3/2, 2026年3月2日, 3月2日 (year from the document), 2026年8月15日至16日,
6月22日至8月7日, 2026-03-02–04-10, 04-13–06-19, 16 March 2026, Monday, 16 March 2026, March 16, 2026,
22 June, 15-16 August 2026, 2026-03-02 to 2026-04-10; and periods a plan may only give: 4 月底, 6月初,
2026年3月, mid-July, end of April, August 2026, Q3, 2026 Q3, 第三季度. A period is a mention of precision
"month" or "quarter": it never stands in for a day.

Not dates: ids (A-01, IF-01, OI-01, CR-003), versions (v1.0, MQTT 3.1.1), times (09:30–12:00), phone numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from assistant.plans.extract.spans import Span, fold

Precision = Literal["day", "month", "quarter"]


@dataclass(frozen=True)
class DateMention:
    start: dt.date
    end: dt.date | None  # the last day of a range; None for a single day
    precision: Precision
    span: Span  # offsets into the text searched
    text: str

    @property
    def is_day(self) -> bool:
        return self.precision == "day"


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}

_MON = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_WEEKDAY = r"(?:(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\.?,?\s+)?"
_Y = r"(?P<y>20\d{2})"
_SEP = r"\s*(?:–|—|-|~|～|至|到|to|until|till|through)\s*"

# Single days. Each pattern names y (optional), m or mon, d.
_ISO = re.compile(r"(?<![\w.])" + _Y + r"(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d])")
_CN = re.compile(r"(?:" + _Y + r"\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
_EN_DM = re.compile(
    r"(?<![\w])" + _WEEKDAY + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>" + _MON + r")\.?(?![a-z])"
    r"(?:\s*,?\s*" + _Y + r"(?!\d))?"
)
_EN_MD = re.compile(
    r"(?<![\w])" + _WEEKDAY + r"(?P<mon>" + _MON + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])"
    r"(?:\s*,\s*" + _Y + r"(?!\d))?"
)
# Ranges whose second part is only a day (or, after an ISO date, only month-day).
_CN_DAYS = re.compile(
    r"(?:"
    + _Y
    + r"\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?\s*(?:–|—|-|~|～|至|到)\s*(?P<d2>\d{1,2})\s*[日号]"
)
_EN_DAYS = re.compile(
    r"(?<![\w])(?P<d>\d{1,2})\s*(?:-|–|—|to|and)\s*(?P<d2>\d{1,2})\s+(?P<mon>" + _MON + r")\.?(?![a-z])"
    r"(?:\s*,?\s*" + _Y + r"(?!\d))?"
)
_SHORT_RANGE = re.compile(
    r"(?<![\w.\-/])(?P<m>\d{2})-(?P<d>\d{2})\s*(?:–|—|~|～|至|到|to)\s*(?P<m2>\d{2})-(?P<d2>\d{2})(?![\w\-])"
)
# Periods.
_CN_MONTH = re.compile(
    r"(?:" + _Y + r"\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<part>底|末|初|中旬|上旬|下旬)?(?!\s*\d)"
)
_EN_MONTH = re.compile(
    r"(?<![\w])(?:(?P<part>early|mid|late|end of|beginning of|the end of|start of)[- ]\s*)?(?P<mon>"
    + _MON
    + r")"
    r"(?![a-z])(?:\s+" + _Y + r")?"
)
_QUARTER = re.compile(
    r"(?<![A-Za-z0-9])(?:" + _Y + r"\s*)?Q(?P<q>[1-4])(?:\s*/?\s*(?P<y2>20\d{2}))?(?![\d])"
    r"|(?:" + r"(?P<y3>20\d{2})" + r"\s*年\s*)?第?(?P<qc>[一二三四1-4])季度"
)
_TAIL = re.compile(_SEP)


def _year(groups: dict[str, str | None], default_year: int | None) -> int | None:
    y = groups.get("y") or groups.get("y2") or groups.get("y3")
    return int(y) if y else default_year


def _month(groups: dict[str, str | None]) -> int:
    mon = groups.get("mon")
    return _MONTHS[mon[:3].lower()] if mon else int(groups["m"] or 0)


def _day(y: int | None, m: int, d: int) -> dt.date | None:
    if y is None:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _single(text: str, pos: int, default_year: int | None, iso_short: bool) -> tuple[dt.date, int] | None:
    """A single day starting exactly at ``pos`` (the second half of a range), and where it ends."""
    for pattern in (_ISO, _CN, _EN_DM, _EN_MD):
        m = pattern.match(text, pos)
        if m is not None:
            g = m.groupdict()
            day = _day(_year(g, default_year), _month(g), int(g["d"]))
            if day is not None:
                return day, m.end()
    if iso_short and (m := re.match(r"(\d{2})-(\d{2})(?![\w\-])", text[pos:])):
        day = _day(default_year, int(m.group(1)), int(m.group(2)))
        if day is not None:
            return day, pos + m.end()
    return None


def _roll(day: dt.date, ref: dt.date | None, explicit_year: bool) -> dt.date:
    """A yearless date far before the document's own date is next year's (a December plan naming 'March')."""
    if explicit_year or ref is None or (ref - day).days <= 183:
        return day
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day


def find_dates(
    text: str, *, ref: dt.date | None = None, default_year: int | None = None
) -> list[DateMention]:
    """Every date or period in ``text``, left to right, none overlapping. ``ref`` is the document's date: it
    gives a yearless date its year (``default_year`` when there is no ``ref``)."""
    folded = fold(text)
    year = ref.year if ref else default_year
    found: list[DateMention] = []

    def add(start: int, end: int, first: dt.date | None, last: dt.date | None, precision: Precision) -> None:
        if first is None:
            return
        if last is not None and last < first:
            return
        found.append(DateMention(first, last, precision, Span(start, end), text[start:end]))

    for pattern in (_ISO, _CN, _EN_DM, _EN_MD):
        for m in pattern.finditer(folded):
            g = m.groupdict()
            explicit = bool(g.get("y"))
            first = _day(_year(g, year), _month(g), int(g["d"]))
            if first is None:
                continue
            first = _roll(first, ref, explicit)
            end, last = m.end(), None
            if (tail := _TAIL.match(folded, end)) is not None:
                second = _single(folded, tail.end(), first.year, iso_short=pattern is _ISO)
                if second is not None and second[0] >= first:
                    last, end = second
            add(m.start(), end, first, last, "day")
    for m in _CN_DAYS.finditer(folded):
        g = m.groupdict()
        first = _day(_year(g, year), int(g["m"]), int(g["d"]))
        last = _day(first.year, int(g["m"]), int(g["d2"])) if first else None
        if first is not None:
            first, last = (
                _roll(first, ref, bool(g.get("y"))),
                _roll(last, ref, bool(g.get("y"))) if last else None,
            )
        add(m.start(), m.end(), first, last, "day")
    for m in _EN_DAYS.finditer(folded):
        g = m.groupdict()
        first = _day(_year(g, year), _month(g), int(g["d"]))
        last = _day(first.year, _month(g), int(g["d2"])) if first else None
        add(m.start(), m.end(), first, last, "day")
    for m in _SHORT_RANGE.finditer(folded):
        first = _day(year, int(m["m"]), int(m["d"]))
        last = _day(year, int(m["m2"]), int(m["d2"]))
        add(m.start(), m.end(), first, last, "day")
    for m in _CN_MONTH.finditer(folded):
        g = m.groupdict()
        y, mon = _year(g, year), int(g["m"])
        if y is not None and 1 <= mon <= 12:
            add(m.start(), m.end(), dt.date(y, mon, 1), _month_end(y, mon), "month")
    for m in _EN_MONTH.finditer(folded):
        g = m.groupdict()
        # A bare month name ("May", "March") is too often a word or a name to count without a year or a part.
        if not (g.get("y") or g.get("part")):
            continue
        y, mon = _year(g, year), _month(g)
        if y is not None:
            add(m.start(), m.end(), dt.date(y, mon, 1), _month_end(y, mon), "month")
    for m in _QUARTER.finditer(folded):
        g = m.groupdict()
        q = (
            int(g["q"])
            if g.get("q")
            else _CN_DIGITS.get(g["qc"] or "", int(g["qc"]) if (g["qc"] or "").isdigit() else 0)
        )
        y = _year(g, year)
        if y is not None and 1 <= q <= 4:
            add(m.start(), m.end(), dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter")
    return _leftmost_longest(found)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


_RANK = {"day": 0, "month": 1, "quarter": 2}


def _leftmost_longest(found: list[DateMention]) -> list[DateMention]:
    found.sort(key=lambda d: (d.span.start, -(d.span.end - d.span.start), _RANK[d.precision]))
    out: list[DateMention] = []
    for d in found:
        if out and d.span.start < out[-1].span.end:
            continue
        out.append(d)
    return out
