"""PDF: one segment per page, text normalised so wrapped lines read as the sentences they were."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import re
import zlib
from collections.abc import Mapping
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream, NameObject

from assistant.language import WIDE
from ingest.readers.base import ReadResult, Segment, UnreadableFile, find_date, first_lines, short_cause

log = logging.getLogger(__name__)

# --- Fast text extraction -------------------------------------------------------------------------------
# pypdf parses every operator of a page in Python. Word-to-PDF printers (PScript5 + Ghostscript) draw
# logos and shading as thousands of one-pixel-high inline images, each wrapped in "q ... cm BI ... EI Q";
# parsing those took most of the time for the 75-page reference PDF while adding no text. They are cut
# from the content before pypdf sees it, but only where the cut is certain (Flate data, whose end zlib
# reports, or raw samples, whose length follows from size and depth); anything else leaves the page to
# pypdf untouched. pypdf then extracts the text of what is left: on the reference PDFs, exactly its own.

# Skips (possessively, so in one C-level pass) everything that cannot start an inline image: other bytes,
# a B inside a longer token, simple strings and comments; stops at "BI" or at a string with nested
# parentheses (group 1), which _skip_string walks.
_TO_NEXT_IMAGE = re.compile(
    rb"(?:[^(%B]++|(?<![\s\])>])B|B(?!I[\s/])|\((?:[^()\\]++|\\.)*+\)|%[^\r\n]*+)*+(?:(\()|BI)", re.S
)
_STRING_TOKENS = re.compile(rb"[()\\]")
_ID = re.compile(rb"(?<=[\s>\])])ID\s")
_NUM = rb"[-+]?(?:\d+\.?\d*|\.\d+)\s+"
_Q_CM_BEFORE = re.compile(rb"q\s+(?:" + _NUM + rb"){6}cm\s+")
_Q_AFTER = re.compile(rb"\s*Q(?=[\s]|\Z)")
_MAX_INLINE_OUTPUT = 16 * 1024 * 1024


def _skip_string(data: bytes, start: int) -> int | None:
    depth, pos = 0, start
    while (m := _STRING_TOKENS.search(data, pos)) is not None:
        c = data[m.start()]
        if c == 0x5C:  # backslash escapes the next byte, parentheses included
            pos = m.start() + 2
            continue
        depth += 1 if c == 0x28 else -1
        pos = m.end()
        if depth == 0:
            return pos
    return None


_KEY = {b"W": b"Width", b"H": b"Height", b"BPC": b"BitsPerComponent", b"CS": b"ColorSpace",
        b"IM": b"ImageMask", b"F": b"Filter"}  # fmt: skip
_COMPONENTS = {b"G": 1, b"DeviceGray": 1, b"RGB": 3, b"DeviceRGB": 3, b"CMYK": 4, b"DeviceCMYK": 4}
_PAIR = re.compile(rb"/(\w+)\s*(/\w+|\[[^\]]*\]|[-+]?\d+|true|false)")


def _raw_length(header: dict[bytes, bytes]) -> int | None:
    """Byte length of unfiltered image data, computed from its size, colours and bit depth."""
    try:
        width, height = int(header[b"Width"]), int(header[b"Height"])
        if header.get(b"ImageMask") == b"true":
            components, bits = 1, 1
        else:
            components = _COMPONENTS[header[b"ColorSpace"].lstrip(b"/")]
            bits = int(header[b"BitsPerComponent"])
    except (KeyError, ValueError):
        return None
    return (width * components * bits + 7) // 8 * height


def _flate_length(data: bytes, start: int) -> int | None:
    """Length of the zlib stream at ``start``, as zlib itself reports where it ends."""
    pos, inflater, produced = start, zlib.decompressobj(), 0
    try:
        while not inflater.eof:
            chunk = data[pos : pos + 65536]
            if not chunk:
                return None
            pos += len(chunk)
            while chunk and not inflater.eof:
                produced += len(inflater.decompress(chunk, 1 << 16))
                chunk = inflater.unconsumed_tail
                if produced > _MAX_INLINE_OUTPUT:
                    return None
    except zlib.error:
        return None
    return pos - len(inflater.unused_data) - start


@functools.lru_cache(maxsize=4096)
def _image_layout(raw_header: bytes) -> int | None:
    """Byte length of the image data (-1: Flate, ask zlib), or None when no certain end can be had."""
    if b"(" in raw_header or b"%" in raw_header:
        return None
    # Nested dictionaries (DecodeParms) may repeat keys such as BitsPerComponent: not the image's own.
    flat = re.sub(rb"<<.*?>>", b" ", raw_header, flags=re.S)
    header = {_KEY.get(k, k): v for k, v in _PAIR.findall(flat)}
    filters = header.get(b"Filter", b"").strip(b"[]").split()
    if not filters:
        return _raw_length(header)
    if len(filters) == 1 and filters[0] in (b"/Fl", b"/FlateDecode"):
        return -1
    return None  # CCITT, JPEG, ASCII85...: no certain end; pypdf parses the page itself


def _inline_image_end(data: bytes, after_bi: int) -> int | None:
    """Index just past the image's EI, or None when the end cannot be known for certain."""
    m = _ID.search(data, after_bi)
    if m is None:
        return None
    length = _image_layout(data[after_bi : m.start()])
    start = m.end()
    if length == -1:
        length = _flate_length(data, start)
    if length is None:
        return None
    end = start + length
    while end < len(data) and data[end] in b" \t\r\n\f\x00":
        end += 1
    if data[end : end + 2] != b"EI" or (end + 2 < len(data) and data[end + 2] not in b" \t\r\n\f\x00"):
        return None
    return end + 2


def strip_inline_images(data: bytes) -> bytes | None:
    """The content stream without its inline images (and their empty q/cm/Q wrappers); None if unchanged."""
    out: list[bytes] = []
    copied = pos = 0
    if data.startswith(b"BI"):
        return None  # an image as the very first token is too odd to bother with
    while (m := _TO_NEXT_IMAGE.match(data, pos)) is not None:
        if m.group(1):
            end = _skip_string(data, m.end() - 1)
            if end is None:
                return None
            pos = end
        else:
            end = _inline_image_end(data, m.end())
            if end is None:
                return None
            cut_from, cut_to = m.end() - 2, end
            q = data.rfind(b"q", max(copied, cut_from - 256), cut_from)
            q_starts_token = q >= 0 and data[q - 1 : q] in b" \t\r\n\f"
            before = _Q_CM_BEFORE.fullmatch(data, q, cut_from) if q_starts_token else None
            after = _Q_AFTER.match(data, end)
            if before and after:  # q + cm + image + Q draws nothing else and restores the state
                cut_from, cut_to = before.start(), after.end()
            out.append(data[copied:cut_from])
            out.append(b"\n")
            copied = pos = cut_to
    if not out:
        return None
    out.append(data[copied:])
    return b"".join(out)


def _page_text(reader: PdfReader, index: int) -> str:
    page = reader.pages[index]
    original = page.get("/Contents")
    try:
        contents = page.get_contents()
        stripped = strip_inline_images(contents.get_data()) if contents is not None else None
    except Exception:  # the fast path is only an optimisation: pypdf alone decides what is readable
        stripped = None
    if stripped is not None:
        lean = ContentStream(None, reader, "bytes")  # "bytes": glyph codes stay raw for the fonts' maps
        lean.set_data(stripped)
        page[NameObject("/Contents")] = lean
        try:
            return page.extract_text()
        except Exception:
            log.debug("lean content failed on page %d; using pypdf's own parse", index + 1, exc_info=True)
            page[NameObject("/Contents")] = original
    return page.extract_text()


# --- Normalisation ---------------------------------------------------------------------------------------

_SENTENCE_END = "。！？；：!?;:"
_HYPHEN_END = re.compile(r"[A-Za-z]{2}-$")


def _width(line: str) -> int:
    """Line width in columns: a WIDE character (hanzi, CJK punctuation, a full-width form) fills two."""
    return sum(2 if WIDE.match(c) else 1 for c in line)


def normalise_pdf_text(text: str) -> str:
    """Join words hyphenated across lines and Chinese sentences wrapped across lines; keep paragraphs."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    cjk_widths = sorted(_width(line.strip()) for line in lines if WIDE.search(line))
    # A wrapped line runs to the margin; a short line before a CJK line is a heading or a line end.
    full = cjk_widths[int(len(cjk_widths) * 0.9)] if len(cjk_widths) >= 4 else 0
    out: list[str] = []
    last_physical = ""
    for line in lines:
        prev = out[-1] if out else ""
        if prev.strip() and line.strip():
            nxt = line.lstrip()
            if prev.endswith("\u00ad"):
                out[-1], last_physical = prev[:-1] + nxt, line
                continue
            if _HYPHEN_END.search(prev) and nxt[:1].islower():
                out[-1], last_physical = prev[:-1] + nxt, line
                continue
            if (
                WIDE.match(prev[-1])
                and prev[-1] not in _SENTENCE_END
                and WIDE.match(nxt[0])
                and _width(last_physical.strip()) >= 0.6 * full
            ):
                out[-1], last_physical = prev + nxt, line
                continue
        if not line and out and not out[-1]:
            continue  # a run of blank lines is one paragraph break
        out.append(line)
        last_physical = line
    return "\n".join(out).strip("\n")


# --- Reader ------------------------------------------------------------------------------------------------

_GENERIC_TITLE = re.compile(r"^(untitled|document\d*|microsoft word - document\d*|文档\d*)$", re.I)


def _clean_title(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    title = re.sub(r"^Microsoft (Word|PowerPoint|Excel) - ", "", raw.strip())
    title = re.sub(r"\.(docx?|pptx?|xlsx?)$", "", title, flags=re.I).strip()
    return title[:120] if title and not _GENERIC_TITLE.match(title) else None


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # many PDFs are "encrypted" with an empty user password
            except Exception as exc:
                raise UnreadableFile(f"encrypted PDF: it cannot be decrypted ({short_cause(exc)})") from exc
            if not opened:
                raise UnreadableFile("encrypted PDF: a password is needed to open it")
        if len(reader.pages) == 0:
            raise UnreadableFile("corrupt PDF: no pages found")
    except UnreadableFile:
        raise
    except Exception as exc:  # pypdf fails in many ways on damaged files; all mean the same to a user
        raise UnreadableFile(f"corrupt PDF: {short_cause(exc)}") from exc
    return reader


def _creation_date(reader: PdfReader) -> dt.date | None:
    try:
        created = reader.metadata.creation_date if reader.metadata else None
    except Exception:  # a malformed date string in the metadata is not worth failing over
        return None
    return created.date() if isinstance(created, dt.datetime) else None


def read_pdf(data: bytes) -> ReadResult:
    reader = _open(data)
    count = len(reader.pages)
    segments: list[Segment] = []
    warnings: list[str] = []
    for i in range(count):
        try:
            text = normalise_pdf_text(_page_text(reader, i))
        except Exception as exc:
            warnings.append(f"page {i + 1} could not be read ({short_cause(exc, 80)})")
            continue
        if text.strip():
            segments.append(Segment(text, page=i + 1))
        else:
            warnings.append(f"page {i + 1} has no extractable text (scanned image?)")
    if not segments:
        which = "the only page has no" if count == 1 else f"none of the {count} pages has"
        raise UnreadableFile(f"no text layer, OCR needed: {which} extractable text")
    try:
        info: Mapping[str, Any] = reader.metadata or {}
    except Exception:
        info = {}
    metadata = {
        key: " ".join(str(info[name]).split())
        for key, name in (
            ("author", "/Author"),
            ("title", "/Title"),
            ("subject", "/Subject"),
            ("keywords", "/Keywords"),
            ("producer", "/Producer"),
        )  # fmt: skip
        if info.get(name) and str(info[name]).strip()
    }
    first = segments[0].text
    return ReadResult(
        segments=segments,
        title=_clean_title(info.get("/Title")) or _clean_title(first_lines(first, 1)),
        date=find_date(first_lines(first)) or _creation_date(reader),
        warnings=warnings,
        metadata=metadata,
        page_count=count,
    )
