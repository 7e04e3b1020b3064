"""Plain text and Markdown, in whatever encoding a Chinese or English office produced them."""

from __future__ import annotations

import re

import charset_normalizer

from ingest.readers.base import ReadResult, Segment, UnreadableFile, find_date, first_lines, title_from_text
from ingest.readers.sniff import looks_binary, utf16_without_bom

_BOMS: list[tuple[bytes, str]] = [
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]


def decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings). Raises UnreadableFile for binary content."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec.removesuffix("-sig"), errors="replace"), codec, []
    if (utf16 := utf16_without_bom(data[:1024])) is not None:
        return data.decode(utf16, errors="replace"), utf16, []
    if looks_binary(data):
        raise UnreadableFile("binary content, not text")
    for codec in ("utf-8", "gb18030"):  # gb18030 is a superset of GBK and GB2312
        try:
            return data.decode(codec), codec, []
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding, [f"text encoding guessed as {best.encoding}"]
    return data.decode("latin-1"), "latin-1", ["text encoding unknown; read as latin-1"]


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def read_txt(data: bytes) -> ReadResult:
    text, encoding, warnings = decode_text(data)
    text = _normalise_newlines(text).strip("\n")
    segments = [Segment(text)] if text.strip() else []
    head = first_lines(text)
    return ReadResult(
        segments=segments,
        title=title_from_text(text),
        date=find_date(head),
        warnings=warnings,
        metadata={"encoding": encoding},
    )


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FRONT_MATTER_KEY = re.compile(r"^(title|date)\s*:\s*['\"]?(.*?)['\"]?\s*$", re.I)


def _front_matter_end(lines: list[str]) -> int:
    """Index just after a YAML front-matter block at the top, or 0 when there is none."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() in ("---", "..."):
            return i + 1
    return 0


def markdown_sections(text: str) -> list[tuple[str | None, list[str], str | None]]:
    """(heading path, the section's lines verbatim, heading text) in document order."""
    lines = text.split("\n")
    start = _front_matter_end(lines)
    sections: list[tuple[str | None, list[str], str | None]] = [(None, lines[:start], None)]
    stack: list[tuple[int, str]] = []
    fence: str | None = None

    def open_section(level: int, title: str, heading_lines: list[str]) -> None:
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        sections.append((" > ".join(t for _, t in stack), heading_lines, title))

    for i in range(start, len(lines)):
        line = lines[i]
        current = sections[-1][1]
        if fence is not None:
            if line.lstrip().startswith(fence):
                fence = None
            current.append(line)
            continue
        if m := _FENCE.match(line):
            fence = m.group(1)[0] * 3
            current.append(line)
            continue
        if (m := _ATX.match(line)) and (m.group(2) or "").strip():
            open_section(len(m.group(1)), m.group(2).strip(), [line])
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        setext = _SETEXT.match(nxt)
        # A setext underline only makes a heading of a lone paragraph line, not of a list item or a table row.
        if (
            setext
            and line.strip()
            and not line.lstrip().startswith(("-", "*", "+", "|", ">"))
            and (not current or not current[-1].strip())
        ):
            open_section(1 if setext.group(1)[0] == "=" else 2, line.strip(), [line])
            continue
        current.append(line)
    return sections


def read_markdown(data: bytes) -> ReadResult:
    text, encoding, warnings = decode_text(data)
    text = _normalise_newlines(text)
    segments: list[Segment] = []
    title: str | None = None
    for path, lines, heading in markdown_sections(text):
        body = "\n".join(lines).strip("\n")
        if body.strip():
            segments.append(Segment(body, section=path))
        if title is None and heading:
            title = heading[:120]
    lines = text.split("\n")
    front = lines[: _front_matter_end(lines)]
    date = None
    for line in front:
        if m := _FRONT_MATTER_KEY.match(line):
            if m.group(1).lower() == "title" and m.group(2):
                title = m.group(2)[:120]
            elif m.group(1).lower() == "date":
                date = find_date(m.group(2))
    return ReadResult(
        segments=segments,
        title=title or title_from_text("\n".join(lines[len(front) :])),
        date=date or find_date(first_lines(text)),
        warnings=warnings,
        metadata={"encoding": encoding},
    )
