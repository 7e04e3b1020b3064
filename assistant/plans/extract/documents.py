"""The documents behind the chunks: which is later, and which text inside an e-mail is quoted.

When two documents disagree the later one wins: by its date, and between documents of one date (or undated
ones, which count from the last dated document before them) by file order, the order of the chunks handed in.
Text an e-mail quotes or forwards ("> ...", "-----Original Message-----", "-----原始邮件-----", "发件人：",
"On ... wrote:") is older than the mail itself: it ranks at the quoted header's own date when it has one, and
always below the mail's own text, so it never wins over what the mail says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.plans.extract.dates import find_dates
from assistant.plans.extract.spans import Span, fold, lines
from assistant.plans.facts import SourceChunk

_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|原始邮件|forwarded message|转发的?邮件|邮件原文)\s*-{2,}"
    r"|begin forwarded message"
    r"|on .{5,200} wrote:\s*$"
    r"|在.{2,80}写道[：:]\s*$"
    r"|(?:发件人|from)\s*[：:])",
    re.IGNORECASE,
)
_QUOTED_LINE = re.compile(r"^\s*>")
_QUOTED_DATE = re.compile(r"^\s*(?:发送时间|发送日期|时间|日期|sent|date)\s*[：:]", re.IGNORECASE)

Rank = tuple[int, int, int]  # (effective date ordinal, 1 = the document's own text / 0 = quoted, file order)


@dataclass
class Document:
    document_id: str
    file_name: str
    doc_date: dt.date | None
    order: int
    effective_date: dt.date | None = None
    chunks: list[SourceChunk] = field(default_factory=list)
    # chunk id -> (quoted spans of that chunk, the quoted header's date)
    quoted: dict[str, tuple[list[Span], dt.date | None]] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return (self.doc_date or self.effective_date or dt.date.today()).year

    def rank(self, chunk: SourceChunk, at: Span) -> Rank:
        spans, quoted_date = self.quoted.get(chunk.chunk_id, ([], None))
        inside = any(s.start <= at.start < s.end for s in spans)
        when = (quoted_date if inside and quoted_date else None) or self.effective_date
        return (when.toordinal() if when else 0, 0 if inside else 1, self.order)

    def is_quoted(self, chunk: SourceChunk, at: Span) -> bool:
        spans, _ = self.quoted.get(chunk.chunk_id, ([], None))
        return any(s.start <= at.start < s.end for s in spans)


def documents(chunks: Sequence[SourceChunk]) -> list[Document]:
    """The documents of ``chunks`` in file order (first appearance), each with its chunks by position."""
    by_id: dict[str, Document] = {}
    for chunk in chunks:
        doc = by_id.get(chunk.document_id)
        if doc is None:
            doc = by_id[chunk.document_id] = Document(
                chunk.document_id, chunk.file_name, chunk.doc_date, order=len(by_id)
            )
        doc.chunks.append(chunk)
    last: dt.date | None = None
    for doc in by_id.values():
        doc.chunks.sort(key=lambda c: c.position)
        doc.effective_date = doc.doc_date or last
        last = doc.doc_date or last
        _mark_quotes(doc)
    return list(by_id.values())


def _mark_quotes(doc: Document) -> None:
    """Quoted spans per chunk. Chunks overlap: a chunk that repeats the mail's own closing lines before the
    marker has the marker again, and its quote starts there; a chunk after the marker is quoted whole."""
    in_quote, quote_date = False, None
    for chunk in doc.chunks:
        text = fold(chunk.text)
        all_lines = list(lines(text))
        own_header_end = _header_end(text, all_lines) if chunk.position == 0 else 0
        spans = [line for line in all_lines if _QUOTED_LINE.match(line.of(text))]
        marker = next(
            (
                i
                for i, ln in enumerate(all_lines)
                if ln.start >= own_header_end and _MARKER.match(ln.of(text))
            ),
            None,
        )
        if marker is not None:
            spans.append(Span(all_lines[marker].start, len(text)))
            quote_date = _header_date(text, all_lines[marker : marker + 6], doc) or quote_date
            in_quote = True
        elif in_quote:
            spans.append(Span(0, len(text)))
        doc.quoted[chunk.chunk_id] = (spans, quote_date)


def _header_end(text: str, all_lines: list[Span]) -> int:
    """End of the mail's own header block (From:/To:/Date: lines at the top), 0 when there is none."""
    end = 0
    for line in all_lines:
        if re.match(r"^[A-Za-z-]{2,20}\s*:", line.of(text)) and line.start <= end + 1:
            end = line.end
        else:
            break
    return end


def _header_date(text: str, block: list[Span], doc: Document) -> dt.date | None:
    for line in block:
        body = line.of(text)
        if _QUOTED_DATE.match(body):
            found = [d for d in find_dates(body, default_year=doc.year) if d.is_day]
            if found:
                return found[0].start
    return None
