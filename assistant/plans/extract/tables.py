"""Table rows in chunk text, with the header they belong to.

Ingestion writes tables as one line per row with " | " between cells: Markdown keeps its pipes and its
"|---|" rule, DOCX tables become "a | b | c" lines (ingest/readers/docx.py), a text file's hand-made table keeps
its own pipes. A table often runs over a chunk boundary, so the rows at the top of a chunk take the header of
the document's previous table when they continue it (same number of cells and no header of their own). PDF
tables lose their cell borders on extraction; the readers that need them (interfaces, phases) read those
lines by their content instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from assistant.plans.extract.spans import Span, clean, lines
from assistant.plans.facts import SourceChunk

_RULE_CELL = re.compile(r"^:?-{2,}:?$")
_DATA_LIKE = re.compile(
    r"\d{4}[-/.年]\d|\d月\d|^\s*[A-Za-z\u4e00-\u9fff]{1,6}(?:[-_][A-Za-z]{1,8})*[-_]?[A-Za-z]?\d{1,4}\s*$|^\s*\d+\s*$"
)


@dataclass(frozen=True)
class TableRow:
    chunk: SourceChunk
    span: Span  # the row's line in the chunk
    cells: list[str]  # cleaned cell values
    header: list[str] | None  # cleaned header cells, when the table has one

    def get(self, column: int | None) -> str:
        return self.cells[column] if column is not None and column < len(self.cells) else ""


def _cells(line: str) -> list[str] | None:
    if line.count("|") < 1:
        return None
    body = line.strip()
    # Markdown rows are framed by pipes; a DOCX or text row ending in "| " has an empty last cell.
    if body.startswith("|"):
        body = body[1:]
        if body.endswith("|"):
            body = body[:-1]
    cells = [c.strip() for c in body.split("|")]
    return cells if len(cells) >= 2 else None


def _is_rule(cells: list[str]) -> bool:
    return all(_RULE_CELL.match(c) for c in cells if c) and any(cells)


def _looks_like_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and not any(_DATA_LIKE.search(c) for c in filled)


def _blocks(text: str) -> Iterator[list[tuple[Span, list[str]]]]:
    block: list[tuple[Span, list[str]]] = []
    for span in lines(text):
        cells = _cells(span.of(text))
        if cells is None:
            if block:
                yield block
            block = []
            continue
        block.append((span, cells))
    if block:
        yield block


def table_rows(chunks: Iterable[SourceChunk]) -> Iterator[TableRow]:
    """The data rows of every pipe table in ``chunks`` (one document's, in position order)."""
    last_header: list[str] | None = None
    for chunk in chunks:
        text = chunk.text
        first_line = next(iter(lines(text)), None)
        for block in _blocks(text):
            header: list[str] | None = None
            rows = block
            has_rule = len(block) > 1 and _is_rule(block[1][1])
            continues = (
                first_line is not None
                and block[0][0].start == first_line.start
                and chunk.position > 0
                and last_header is not None
                and len(block[0][1]) == len(last_header)
                and not has_rule
                and (len(block) == 1 or not _looks_like_header(block[0][1]) or block[0][1] == last_header)
            )
            if continues:
                header = last_header
                if block[0][1] == last_header:
                    rows = block[1:]
            elif has_rule or _looks_like_header(block[0][1]):
                header = [clean(c) for c in block[0][1]]
                rows = block[1:]
            for span, cells in rows:
                if _is_rule(cells):
                    continue
                yield TableRow(chunk, span, [clean(c) for c in cells], header)
            last_header = header if header is not None else last_header


def column(header: list[str] | None, words: Iterable[str]) -> int | None:
    """Index of the first header cell that names one of ``words``: Chinese words anywhere in the cell, Latin
    words as whole words ("id" is not in "provider")."""
    if not header:
        return None
    lowered = [h.lower() for h in header]
    for word in words:
        w = word.lower()
        for i, h in enumerate(lowered):
            if re.search(r"[\u4e00-\u9fff]", w) and w in h:
                return i
            if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", h):
                return i
    return None
