"""File readers: bytes of one document in, text segments with page or section out.

``read_document`` reads one non-archive file; ``expand_archive`` and ``expand_folder`` turn a ZIP or a
folder into the documents inside. Every failure is an ``UnreadableFile`` whose message is the reason a
user sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import PurePosixPath

from ingest.readers.archive import (
    ArchiveEntry,
    ArchiveRefused,
    ExpansionBudget,
    expand_archive,
    expand_folder,
)
from ingest.readers.base import (
    SUPPORTED_EXTENSIONS,
    Attachment,
    FileTooLarge,
    ReadLimits,
    ReadResult,
    Segment,
    UnreadableFile,
    UnsupportedFileType,
    find_date,
    short_cause,
    too_large_message,
    unsupported_type_message,
)
from ingest.readers.docx import read_docx
from ingest.readers.eml import read_eml
from ingest.readers.pdf import read_pdf
from ingest.readers.sniff import KIND_NAMES, sniff
from ingest.readers.text import read_markdown, read_txt

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ArchiveEntry",
    "ArchiveRefused",
    "Attachment",
    "ExpansionBudget",
    "FileTooLarge",
    "ReadLimits",
    "ReadResult",
    "Segment",
    "UnreadableFile",
    "UnsupportedFileType",
    "expand_archive",
    "expand_folder",
    "find_date",
    "read_document",
    "sniff",
]

log = logging.getLogger(__name__)

_TEXTUAL = frozenset({"text", "eml"})
# extension -> (content kinds accepted, what to call it in messages, reader)
_READERS: dict[str, tuple[frozenset[str], str, Callable[[bytes, ReadLimits], ReadResult]]] = {
    ".pdf": (frozenset({"pdf"}), "PDF", lambda data, _: read_pdf(data)),
    ".docx": (frozenset({"docx"}), "DOCX", read_docx),
    ".eml": (_TEXTUAL, "e-mail", lambda data, _: read_eml(data)),
    ".md": (_TEXTUAL, "Markdown file", lambda data, _: read_markdown(data)),
    ".markdown": (_TEXTUAL, "Markdown file", lambda data, _: read_markdown(data)),
    ".txt": (_TEXTUAL, "text file", lambda data, _: read_txt(data)),
}


def _check_content(ext: str, kind: str, accepted: frozenset[str]) -> None:
    if kind in accepted:
        return
    if kind == "binary" and accepted == _TEXTUAL:
        raise UnreadableFile("binary content, not text")
    if kind == "ole-encrypted" and ext == ".docx":
        raise UnreadableFile("encrypted DOCX: a password is needed to open it")
    raise UnsupportedFileType(f"named {ext} but the content is {KIND_NAMES.get(kind, kind)}")


def read_document(file_name: str, data: bytes, limits: ReadLimits = ReadLimits()) -> ReadResult:
    """Read one non-archive file; every failure is an UnreadableFile carrying the reason."""
    ext = PurePosixPath(file_name.replace("\\", "/")).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFileType(unsupported_type_message(ext))
    if not data:
        raise UnreadableFile("file is empty")
    if len(data) > limits.max_file_bytes:
        raise FileTooLarge(too_large_message(len(data), limits.max_file_bytes))
    kind = sniff(data)
    if ext == ".zip":
        if kind == "zip":
            raise UnsupportedFileType("a ZIP archive is expanded into its documents, not read as one")
        raise UnsupportedFileType(f"named .zip but the content is {KIND_NAMES.get(kind, kind)}")
    accepted, label, reader = _READERS[ext]
    _check_content(ext, kind, accepted)
    try:
        return reader(data, limits)
    except UnreadableFile:
        raise
    except MemoryError:
        raise
    except RecursionError as exc:
        raise UnreadableFile(f"corrupt {label}: its structure is nested too deeply to read") from exc
    except Exception as exc:
        # Parsers fail in many ways on damaged files; the user needs the reason, the log the traceback.
        log.warning("reading %s failed", file_name, exc_info=True)
        raise UnreadableFile(f"could not read the {label}: {short_cause(exc)}") from exc
