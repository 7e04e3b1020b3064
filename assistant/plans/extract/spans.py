"""Where things sit in a chunk: lines, sentences and clauses as offsets, and evidence cut from them.

Every reader works on offsets into the chunk's own text, so a quote is always ``text[start:end]``: verbatim by
construction. ``fold`` maps full-width ASCII (common in Chinese documents: ２０２６，ＲＥＳＴ) to its narrow form one
character for one, so patterns can be written once and offsets still point into the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.plans.facts import Evidence, SourceChunk

_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
MAX_QUOTE = 300  # characters; a longer passage is cut to a window around what it supports


def fold(text: str) -> str:
    """Full-width ASCII forms to ASCII, one character each (offsets stay valid)."""
    return text.translate(_FULL_WIDTH)


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def lines(text: str) -> Iterator[Span]:
    start = 0
    for m in re.finditer(r"\n", text):
        if m.start() > start:
            yield Span(start, m.start())
        start = m.end()
    if start < len(text):
        yield Span(start, len(text))


# A sentence ends at Chinese or English terminal punctuation, a semicolon, or a line break. The English full
# stop must be followed by a space or the end and not sit inside "e.g." or a number.
_SENTENCE_END = re.compile(r"[。！？；!?;]+|(?<![A-Z])(?<!\b[a-z])(?<!\d)\.(?=\s|$)|\n")
# Clauses inside a sentence: Chinese and English commas, colons, and the Chinese enumeration comma.
_CLAUSE_END = re.compile(r"[，,、：:]")


def sentences(text: str, within: Span | None = None) -> list[Span]:
    lo, hi = (within.start, within.end) if within else (0, len(text))
    out, start = [], lo
    for m in _SENTENCE_END.finditer(text, lo, hi):
        if m.start() > start:
            out.append(_strip(text, start, m.start()))
        start = m.end()
    if start < hi:
        out.append(_strip(text, start, hi))
    return [s for s in out if s.end > s.start]


def clauses(text: str, sentence: Span, keep: list[Span]) -> list[Span]:
    """The sentence cut at commas and colons, never inside one of the ``keep`` spans (dates: 'Monday, 16 March')."""
    out, start = [], sentence.start
    for m in _CLAUSE_END.finditer(text, sentence.start, sentence.end):
        if any(k.start <= m.start() < k.end for k in keep):
            continue
        if m.start() > start:
            out.append(_strip(text, start, m.start()))
        start = m.end()
    if start < sentence.end:
        out.append(_strip(text, start, sentence.end))
    return [c for c in out if c.end > c.start]


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def window(text: str, span: Span, focus: Span | None = None, limit: int = MAX_QUOTE) -> Span:
    """``span`` cut to at most ``limit`` characters, keeping ``focus`` (the part the quote must support)."""
    span = _strip(text, span.start, span.end)
    if span.end - span.start <= limit:
        return span
    focus = focus or Span(span.start, span.start)
    start = max(span.start, min(focus.start, focus.end - limit // 2) - limit // 4)
    end = min(span.end, start + limit)
    return _strip(text, start, end)


def evidence(chunk: SourceChunk, span: Span, focus: Span | None = None) -> Evidence:
    cut = window(chunk.text, span, focus)
    return Evidence(
        document_id=chunk.document_id,
        file_name=chunk.file_name,
        page=chunk.page,
        section=chunk.section,
        quote=cut.of(chunk.text),
        chunk_id=chunk.chunk_id,
        doc_date=chunk.doc_date,
    )


def clean(value: str) -> str:
    """A value as a person reads it: Markdown emphasis and code marks dropped, whitespace collapsed."""
    value = re.sub(r"\*\*|__|`", "", value)
    return " ".join(value.split()).strip(" |;；,，")
