"""Word (.docx): body text in document order, sections from headings, tables as rows of cells."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document as DocxDocument
from docx.oxml.parser import parse_xml
from lxml import etree

from ingest.readers.base import (
    ReadLimits,
    ReadResult,
    Segment,
    UnreadableFile,
    find_date,
    first_lines,
    format_size,
    short_cause,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
# Subtrees whose text is not body text: properties, field codes, deleted revisions, and the VML copy
# of a text box that Word writes next to its DrawingML twin.
_SKIP = {
    _W + "pPr", _W + "rPr", _W + "instrText", _W + "delText", _W + "del", _W + "moveFrom", _MC + "Fallback",
}  # fmt: skip
_BOMB_FLOOR = 1024 * 1024


def _val(el: etree._Element | None, attr: str = "val") -> str | None:
    return None if el is None else el.get(_W + attr)


class _Styles:
    """Heading levels and numbering of paragraph styles, following basedOn chains."""

    def __init__(self, styles_el: etree._Element) -> None:
        self.styles: dict[str, etree._Element] = {}
        self.default: str | None = None
        for s in styles_el.iter(_W + "style"):
            if s.get(_W + "type") not in (None, "paragraph") or not (sid := s.get(_W + "styleId")):
                continue
            self.styles[sid] = s
            if s.get(_W + "default") in ("1", "true"):
                self.default = sid

    def chain(self, sid: str | None) -> Iterator[etree._Element]:
        seen: set[str] = set()
        sid = sid or self.default
        while sid and sid not in seen and (s := self.styles.get(sid)) is not None:
            seen.add(sid)
            yield s
            sid = _val(s.find(_W + "basedOn"))

    def name(self, sid: str | None) -> str:
        s = next(self.chain(sid), None)
        return (_val(s.find(_W + "name")) or "") if s is not None else ""

    def heading_level(self, sid: str | None) -> int | None:
        for s in self.chain(sid):
            if m := _HEADING_NAME.match((_val(s.find(_W + "name")) or "").strip()):
                return int(m.group(1))
            outline = _val(s.find(f"{_W}pPr/{_W}outlineLvl"))
            if outline is not None and outline.isdigit():
                return int(outline) + 1 if int(outline) < 9 else None
        return None

    def num_pr(self, sid: str | None) -> tuple[str | None, str | None]:
        for s in self.chain(sid):
            if (num := s.find(f"{_W}pPr/{_W}numPr")) is not None:
                return _val(num.find(_W + "numId")), _val(num.find(_W + "ilvl"))
        return None, None


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperLetter", "lowerLetter"):
        s = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s if fmt == "upperLetter" else s.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt.startswith(("chineseCounting", "ideographDigital", "taiwaneseCounting", "japaneseCounting")):
        return _chinese(n)
    return str(n)


class _Numbering:
    """Enough of Word list numbering to put "2.1" in front of numbered headings, as the reader sees it."""

    def __init__(self, numbering_el: etree._Element | None) -> None:
        self.levels: dict[str, dict[int, etree._Element]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        if numbering_el is None:
            return
        for absn in numbering_el.iter(_W + "abstractNum"):
            lvls = {int(lvl.get(_W + "ilvl", "0")): lvl for lvl in absn.iter(_W + "lvl")}
            self.levels[absn.get(_W + "abstractNumId", "")] = lvls
        for num in numbering_el.iter(_W + "num"):
            overrides = {}
            for o in num.iter(_W + "lvlOverride"):
                if (start := _val(o.find(_W + "startOverride"))) is not None and start.isdigit():
                    overrides[int(o.get(_W + "ilvl", "0"))] = int(start)
            self.nums[num.get(_W + "numId", "")] = (_val(num.find(_W + "abstractNumId")) or "", overrides)

    def _start(self, lvls: dict[int, etree._Element], level: int, overrides: dict[int, int]) -> int:
        if level in overrides:
            return overrides[level]
        start = _val(lvls[level].find(_W + "start")) if level in lvls else None
        return int(start) if start and start.isdigit() else 1

    def label(self, num_id: str | None, ilvl: str | None, style_id: str | None) -> str:
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abs_id, overrides = self.nums[num_id]
        lvls = self.levels.get(abs_id, {})
        if ilvl is not None and ilvl.isdigit():
            level = int(ilvl)
        else:  # style-linked lists name the style on the level it numbers
            level = next((i for i, lvl in lvls.items() if _val(lvl.find(_W + "pStyle")) == style_id), 0)
        if level not in lvls:
            return ""
        counters = self.counters.setdefault(abs_id, [None] * 10)
        if num_id not in self.started:
            self.started.add(num_id)
            for i in overrides:
                counters[i] = None
        current = counters[level]
        counters[level] = self._start(lvls, level, overrides) if current is None else current + 1
        for i in range(level + 1, len(counters)):
            counters[i] = None
        lvl = lvls[level]
        fmt = _val(lvl.find(_W + "numFmt")) or "decimal"
        text = _val(lvl.find(_W + "lvlText"))
        if fmt in ("bullet", "none") or text is None:
            return ""
        legal = lvl.find(_W + "isLgl") is not None

        def sub(m: re.Match[str]) -> str:
            i = int(m.group(1)) - 1
            if i not in lvls:
                return ""
            current = counters[i]
            n = current if current is not None else self._start(lvls, i, overrides)
            lvl_fmt = "decimal" if legal else (_val(lvls[i].find(_W + "numFmt")) or "decimal")
            return _format_number(n, lvl_fmt)

        return re.sub(r"%([1-9])", sub, text).strip()


def _inline(el: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == _W + "t" or tag.endswith("}t"):  # w:t, and m:t in equations
            out.append(child.text or "")
        elif tag == _W + "tab" or tag == _W + "ptab":
            out.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        elif tag == _W + "txbxContent":
            boxes.append(child)
        else:
            _inline(child, out, boxes)


def _paragraph_text(p: etree._Element) -> tuple[str, list[etree._Element]]:
    out: list[str] = []
    boxes: list[etree._Element] = []
    _inline(p, out, boxes)
    return "".join(out), boxes


def _children(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Children named ``tag``, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == _W + tag:
            yield child
        elif child.tag in (_W + "sdt", _W + "customXml", _W + "sdtContent"):
            yield from _children(child, tag)


def _cell_text(tc: etree._Element) -> str:
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            if child.tag == _W + "p":
                text, boxes = _paragraph_text(child)
                parts.append(text)
                for box in boxes:
                    walk(box)
            elif child.tag == _W + "tbl":
                if rows := _table_rows(child):
                    parts.append("[" + "; ".join(rows) + "]")
            elif child.tag in (_W + "sdt", _W + "customXml", _W + "sdtContent"):
                walk(child)

    walk(tc)
    # A row is one line: the cell's own line breaks become spaces.
    return " ".join(" ".join(p.split()) for p in parts if p.strip())


def _table_rows(tbl: etree._Element) -> list[str]:
    rows = []
    for tr in _children(tbl, "tr"):
        cells = []
        for tc in _children(tr, "tc"):
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            # The continuation of a vertically merged cell repeats nothing: the text sits in the first one.
            cells.append("" if vmerge is not None and _val(vmerge) in (None, "continue") else _cell_text(tc))
        if any(c for c in cells):
            rows.append(" | ".join(cells))
    return rows


class _Walker:
    def __init__(self, styles: _Styles, numbering: _Numbering) -> None:
        self.styles, self.numbering = styles, numbering
        self.sections: list[tuple[str | None, list[str]]] = [(None, [])]
        self.stack: list[tuple[int, str]] = []
        self.headings: list[str] = []
        self.title_paragraph: str | None = None

    def block(self, el: etree._Element) -> None:
        if el.tag == _W + "p":
            self.paragraph(el)
        elif el.tag == _W + "tbl":
            self.sections[-1][1].extend(_table_rows(el))
        elif el.tag in (_W + "sdt", _W + "customXml", _W + "sdtContent", _W + "txbxContent"):
            for child in el:
                self.block(child)

    def paragraph(self, p: etree._Element) -> None:
        text, boxes = _paragraph_text(p)
        ppr = p.find(_W + "pPr")
        sid = _val(ppr.find(_W + "pStyle")) if ppr is not None else None
        num = ppr.find(_W + "numPr") if ppr is not None else None
        num_id = _val(num.find(_W + "numId")) if num is not None else None
        ilvl = _val(num.find(_W + "ilvl")) if num is not None else None
        if num_id is None:
            num_id, style_ilvl = self.styles.num_pr(sid)
            ilvl = ilvl or style_ilvl
        label = self.numbering.label(num_id, ilvl, sid) if text.strip() else ""
        level = self._level(ppr, sid)
        if level and text.strip():
            heading = " ".join(f"{label} {text}".split())
            while self.stack and self.stack[-1][0] >= level:
                self.stack.pop()
            # A whole paragraph styled as a heading would make an unreadable citation: the path gets a clip.
            self.stack.append((level, heading if len(heading) <= 100 else heading[:99] + "…"))
            self.headings.append(heading)
            self.sections.append((" > ".join(h for _, h in self.stack), [heading]))
        elif text.strip():
            if self.title_paragraph is None and self.styles.name(sid).lower() == "title":
                self.title_paragraph = " ".join(text.split())
            self.sections[-1][1].append(f"{label} {text}" if label else text)
        for box in boxes:
            for child in box:
                self.block(child)

    def _level(self, ppr: etree._Element | None, sid: str | None) -> int | None:
        outline = _val(ppr.find(_W + "outlineLvl")) if ppr is not None else None
        if outline is not None and outline.isdigit():
            return int(outline) + 1 if int(outline) < 9 else None
        return self.styles.heading_level(sid)


def _check_bomb(data: bytes, limits: ReadLimits) -> None:
    """python-docx inflates every part in memory; refuse a package that would expand past the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception as exc:  # BadZipFile, NotImplementedError for odd versions, ...: all mean corrupt
        raise UnreadableFile(f"corrupt DOCX: {short_cause(exc)}") from exc
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_bytes:
        raise UnreadableFile(f"corrupt or malicious DOCX: it expands to {format_size(total)} (zip bomb?)")
    for i in infos:
        if i.file_size > _BOMB_FLOOR and i.file_size > limits.zip_max_ratio * max(i.compress_size, 1):
            raise UnreadableFile(f"corrupt or malicious DOCX: part {i.filename} is compressed over "
                                 f"{limits.zip_max_ratio}:1 (zip bomb?)")  # fmt: skip


def _notes(document: DocxDocument) -> list[Segment]:
    """Footnotes, endnotes and comments live in parts of their own; they are text of the document too."""
    wanted = {"/word/footnotes.xml": ("footnote", "Footnotes"), "/word/endnotes.xml": ("endnote", "Endnotes"),
              "/word/comments.xml": ("comment", "Comments")}  # fmt: skip
    segments = []
    for part in document.part.package.iter_parts():
        if (kind := wanted.get(str(part.partname))) is None:
            continue
        root = parse_xml(part.blob)
        lines = []
        for note in root.iter(_W + kind[0]):
            if note.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = " ".join(t for p in note.iter(_W + "p") if (t := _paragraph_text(p)[0].strip()))
            if text:
                author = note.get(_W + "author")
                lines.append(f"{author}: {text}" if kind[0] == "comment" and author else text)
        if lines:
            segments.append(Segment("\n".join(lines), section=kind[1]))
    return segments


_GENERIC_TITLE = re.compile(r"template|^document\d*$|^untitled|^microsoft word|^文档\d*$", re.I)


def read_docx(data: bytes, limits: ReadLimits) -> ReadResult:
    _check_bomb(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # missing parts, bad XML, damaged deflate data: all mean corrupt to a user
        raise UnreadableFile(f"corrupt DOCX: {short_cause(exc)}") from exc
    numbering_part = next(
        (p for p in document.part.package.iter_parts() if str(p.partname) == "/word/numbering.xml"), None
    )
    numbering_el = getattr(numbering_part, "element", None) if numbering_part is not None else None
    walker = _Walker(_Styles(document.styles.element), _Numbering(numbering_el))
    for child in document.element.body:
        walker.block(child)
    segments = [Segment("\n".join(lines), section=path) for path, lines in walker.sections if lines]
    segments.extend(_notes(document))

    props = document.core_properties
    core_title = (props.title or "").strip()
    title = (
        (core_title if core_title and not _GENERIC_TITLE.search(core_title) else None)
        or walker.title_paragraph
        or (walker.headings[0] if walker.headings else None)
        or core_title
        or None
    )
    body = "\n".join(s.text for s in segments)
    fallback = props.modified or props.created  # when the file was saved, not what the document is dated
    metadata = {
        key: value.strip()
        for key, value in (
            ("author", props.author),
            ("title", props.title),
            ("subject", props.subject),
            ("keywords", props.keywords),
            ("category", props.category),
            ("last_modified_by", props.last_modified_by),
        )
        if value and value.strip()
    }
    return ReadResult(
        segments=segments,
        title=title[:120] if title else None,
        date=find_date(first_lines(body)) or (fallback.date() if isinstance(fallback, dt.datetime) else None),
        metadata=metadata,
    )
