"""The types every reader returns and the small helpers several readers share."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {".pdf", ".docx", ".eml", ".md", ".markdown", ".txt", ".zip"}
)


@dataclass
class Segment:
    text: str
    page: int | None = None  # 1-based PDF page number
    section: str | None = None  # heading path, e.g. "2 系统接口 > 2.1 ERP 接口", or for e-mail "Subject: ..."


@dataclass
class Attachment:
    file_name: str
    data: bytes


@dataclass
class ReadResult:
    segments: list[Segment]
    title: str | None = None
    date: dt.date | None = None
    warnings: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    page_count: int | None = None
    kind_hint: str | None = None


@dataclass(frozen=True)
class ReadLimits:
    """What may be read (settings.ingest, in bytes). ``max_files`` and ``max_total_bytes`` are budgets of one
    upload, all its files and archive members together (an ``ExpansionBudget`` counts against them)."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_files: int = 2000
    zip_max_depth: int = 3
    max_total_bytes: int = 512 * 1024 * 1024
    zip_max_ratio: int = 200  # expanded / compressed size of any member; above it the archive is a bomb


class UnreadableFile(Exception):
    """The file cannot be read; str(exc) is the reason shown to the user, one sentence naming the problem."""


class UnsupportedFileType(UnreadableFile):
    """Not a supported type, by extension or content; the message names the type found and the supported."""


class FileTooLarge(UnreadableFile):
    """The file is over ReadLimits.max_file_bytes (the API answers 413)."""


def supported_list() -> str:
    return ", ".join(sorted(SUPPORTED_EXTENSIONS))


def unsupported_type_message(ext: str) -> str:
    found = ext if ext else "(no extension)"
    return f"unsupported type {found} (supported: {supported_list()})"


def format_size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def format_limit(n: int) -> str:
    # Limits are usually round numbers; "50 MB" reads better than "50.0 MB".
    return format_size(n).replace(".0 ", " ")


def too_large_message(size: int, limit: int) -> str:
    return f"file is {format_size(size)}, over the {format_limit(limit)} limit"


def short_cause(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_lines(text: str, n: int = 20) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines[:n])


def title_from_text(text: str, limit: int = 120) -> str | None:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return None


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}
_DATE_PATTERNS = [
    re.compile(rf"(?<!\d){_YEAR}(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?!\d)"),
    re.compile(rf"(?<!\d){_YEAR}\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]"),
    re.compile(
        r"(?P<y>[〇○零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})[日号]"
    ),
    re.compile(
        rf"(?<!\w)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+(?:of\s+)?{_MONTH},?[\s-]+{_YEAR}(?!\d)", re.I
    ),
    re.compile(rf"(?<![\w]){_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}(?!\d)", re.I),
]


def _cn_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if len(s) == 4 and all(c in _CN_DIGITS for c in s):  # a year written digit by digit: 二〇二四
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    if "十" in s:  # 十, 十二, 二十, 二十一
        tens, _, units = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[s]


def find_date(text: str) -> dt.date | None:
    """The first calendar date written in ``text`` (ISO, Chinese or English forms), or None."""
    text = unicodedata.normalize("NFKC", text)  # full-width digits ２０２４ are common in Chinese documents
    best: tuple[int, dt.date] | None = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if best is not None and m.start() >= best[0]:
                break
            groups = m.groupdict()
            try:
                month = _MONTHS[groups["mon"][:3].lower()] if groups.get("mon") else _cn_number(groups["m"])
                found = dt.date(_cn_number(groups["y"]), month, _cn_number(groups["d"]))
            except (ValueError, KeyError):
                continue
            best = (m.start(), found)
            break
    return best[1] if best else None
