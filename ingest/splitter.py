"""Chinese-aware splitting: chunks end at sentence boundaries and together cover every character."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A unit ends after Chinese or English sentence punctuation (with any closing quotes/brackets) or a line break.
_BOUNDARY = re.compile(
    r"""(?:[。！？；!?;]+[”’"'）)\]」』]*)      # Chinese/English terminators
       |(?:(?<![A-Z])(?<!\b[a-z])(?<!\d)\.[”’"')\]]*(?=\s))   # an English full stop before a space, not 'e.g.' or '3.5'
       |\n+""",
    re.VERBOSE,
)
# Inside an over-long unit, prefer to cut after a comma or a space.
_SOFT = re.compile(r"[，,、：:]\s*|\s+")


@dataclass(frozen=True)
class TextPiece:
    text: str
    start: int  # offsets into the segment's text
    end: int


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Consecutive spans that tile ``text`` exactly, each one sentence or line."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end > start:
            spans.append((start, end))
            start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _hard_split(start: int, end: int, text: str, size: int) -> list[tuple[int, int]]:
    out = []
    while end - start > size:
        window = text[start : start + size]
        cut = max((m.end() for m in _SOFT.finditer(window) if m.end() > size // 2), default=size)
        out.append((start, start + cut))
        start += cut
    out.append((start, end))
    return out


def split_text(text: str, *, size: int, overlap: int) -> list[TextPiece]:
    """Pack sentences into chunks of about ``size`` characters, repeating up to ``overlap`` characters of
    whole sentences from the previous chunk so a fact cut at a boundary is still found whole."""
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        units.extend(_hard_split(s, e, text, size) if e - s > size else [(s, e)])
    pieces: list[TextPiece] = []
    i = 0
    while i < len(units):
        j, length = i, 0
        while j < len(units) and (length == 0 or length + units[j][1] - units[j][0] <= size):
            length += units[j][1] - units[j][0]
            j += 1
        piece = _trimmed(text, units[i][0], units[j - 1][1])
        if piece is not None:
            pieces.append(piece)
        if j >= len(units):
            break
        # Step back over whole sentences for the overlap, but always advance.
        k, back = j, 0
        while k - 1 > i and back + units[k - 1][1] - units[k - 1][0] <= overlap:
            back += units[k - 1][1] - units[k - 1][0]
            k -= 1
        i = k
    return pieces


def _trimmed(text: str, start: int, end: int) -> TextPiece | None:
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped:
        return None
    lead = len(raw) - len(raw.lstrip())
    return TextPiece(stripped, start + lead, start + lead + len(stripped))
