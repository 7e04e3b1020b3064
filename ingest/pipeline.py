"""Ingest one file: read, split, embed, write both indexes, and swap the document's chunks atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction, utcnow
from assistant.documents import repository as documents
from assistant.documents.models import Chunk, Document, DocumentStatus, DocumentType
from assistant.errors import AssistantError, ConflictError
from assistant.index import chunks as chunk_store
from assistant.index.vector import VectorIndex
from assistant.jobs.models import FileStatus
from assistant.language import detect_language
from assistant.settings import Settings
from assistant.text import tokenize
from ingest.doctype import detect_doc_type
from ingest.failures import failure_reason
from ingest.readers import (
    SUPPORTED_EXTENSIONS,
    ArchiveRefused,
    ReadLimits,
    ReadResult,
    UnreadableFile,
    expand_archive,
    find_date,
    read_document,
)
from ingest.splitter import split_text

log = logging.getLogger(__name__)


_IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".emz", ".wmf"}
)


def document_date(file_name: str, result: ReadResult) -> dt.date | None:
    """An e-mail's Date header wins; otherwise a date in the file name (people name notes by date) beats the
    first date in the text, which is often a deadline rather than the document's own date."""
    if result.kind_hint == "email" and result.date:
        return result.date
    return find_date(PurePosixPath(file_name).name) or result.date


def read_limits(settings: Settings) -> ReadLimits:
    return ReadLimits(
        max_file_bytes=settings.ingest.max_file_bytes,
        max_files=settings.ingest.max_upload_files,
        zip_max_depth=settings.ingest.zip_max_depth,
        max_total_bytes=settings.ingest.zip_max_total_bytes,
        zip_max_ratio=settings.ingest.zip_max_ratio,
    )


def is_archive(file_name: str) -> bool:
    return file_name.lower().endswith(".zip")


def extension_supported(file_name: str) -> bool:
    return PurePosixPath(file_name.lower()).suffix in SUPPORTED_EXTENSIONS


IndexedHook = Callable[[str, str], None]


@dataclass
class Ingestor:
    """What ingestion needs, passed in so tests can give fakes. ``on_indexed`` hooks get (project_id,
    document_id) after a new or changed document is indexed; they must not raise into ingestion."""

    settings: Settings
    sessions: sessionmaker[Session]
    vectors: VectorIndex
    on_indexed: list[IndexedHook] = field(default_factory=list)

    @property
    def limits(self) -> ReadLimits:
        return read_limits(self.settings)


@dataclass
class FileOutcome:
    file_name: str
    status: FileStatus
    reason: str | None = None
    document_id: str | None = None
    children: list[FileOutcome] = field(default_factory=list)


@dataclass
class PreparedChunk:
    text: str
    page: int | None
    section: str | None
    char_start: int
    char_end: int


class DocumentGone(ConflictError):
    """The document was deleted before or while it was being (re-)indexed; nothing of it is written."""


GONE_BEFORE_REINDEX = "the document was deleted before it could be re-indexed"
ORIGINAL_MISSING = "the stored original is missing; upload the file again"


def original_path(settings: Settings, project_id: str, file_name: str, sha: str) -> Path:
    """Originals are kept (content-addressed) so a project can be re-indexed with other settings. The name
    is the hash and a known extension: nothing of the file's own name reaches the path."""
    suffix = PurePosixPath(file_name.lower()).suffix
    return (
        settings.data_dir / "files" / project_id / f"{sha}{suffix if suffix in SUPPORTED_EXTENSIONS else ''}"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare_chunks(result: ReadResult, *, size: int, overlap: int) -> list[PreparedChunk]:
    """Chunks never cross a segment (page or section); offsets count through the whole document's text."""
    out, offset = [], 0
    for seg in result.segments:
        for piece in split_text(seg.text, size=size, overlap=overlap):
            out.append(
                PreparedChunk(piece.text, seg.page, seg.section, offset + piece.start, offset + piece.end)
            )
        offset += len(seg.text) + 1
    return out


def embed_unique(ingestor: Ingestor, texts: list[str]) -> np.ndarray:
    """Repeated boilerplate (headers, disclaimers) is embedded once."""
    unique = list(dict.fromkeys(texts))
    vectors = ingestor.vectors.embeddings.embed_array(unique)
    index = {t: i for i, t in enumerate(unique)}
    return vectors[[index[t] for t in texts]] if texts else vectors


def ingest_file(
    ingestor: Ingestor,
    *,
    project_id: str,
    file_name: str,
    data: bytes,
    doc_type: DocumentType | None = None,
    parent_id: str | None = None,
    force: bool = False,
    document_id: str | None = None,
    on_status: Callable[[FileStatus], None] | None = None,
) -> FileOutcome:
    """Ingest one non-archive file. Never raises for a bad file or a failing store: the outcome carries the
    reason. ``force`` re-reads unchanged bytes (re-indexing after a change of chunking or embeddings);
    ``document_id`` says the file is that document's (a re-index), which must not be brought back if it was
    deleted meanwhile."""
    sha = sha256_hex(data)
    if (unchanged := _unchanged_outcome(ingestor, project_id, file_name, sha, doc_type, force)) is not None:
        return unchanged
    if on_status:
        on_status(FileStatus.reading)
    target = _Target(project_id, file_name, data, sha, parent_id, document_id)
    try:
        result, prepared = _read_and_split(ingestor, file_name, data)
    except UnreadableFile as exc:
        return _record_failure(ingestor, target, str(exc))
    try:
        vectors = embed_unique(ingestor, [c.text for c in prepared])
        doc_id = _write(ingestor, target, result, prepared, vectors, doc_type)
    except DocumentGone as exc:
        return FileOutcome(file_name, FileStatus.failed, str(exc))
    except Exception as exc:  # the store, the database, the disk: the file fails, the next attempt repairs
        if not isinstance(exc, AssistantError):
            log.exception("indexing %s failed", file_name)
        return _record_failure(ingestor, target, failure_reason(exc))
    outcome = FileOutcome(file_name, FileStatus.indexed, document_id=doc_id)
    _run_indexed_hooks(ingestor, project_id, doc_id)
    outcome.children.extend(_ingest_attachments(ingestor, project_id, file_name, result, doc_id))
    return outcome


def _unchanged_outcome(
    ingestor: Ingestor,
    project_id: str,
    file_name: str,
    sha: str,
    doc_type: DocumentType | None,
    force: bool,
) -> FileOutcome | None:
    """The outcome for bytes already indexed under this name (a new type given for them is applied in
    place, and rows an unfinished attempt left are removed), or ``None`` when the file has to be read."""
    with transaction(ingestor.sessions) as session:
        existing = documents.find_document(session, project_id=project_id, file_name=file_name)
        if (
            force
            or existing is None
            or existing.sha256 != sha
            or existing.status != DocumentStatus.indexed.value
        ):
            return None
        if doc_type is not None and existing.doc_type != doc_type.value:
            existing.doc_type, existing.doc_type_overridden = doc_type.value, True
            retag(ingestor, session, existing)
        doc_id, active = existing.id, existing.active_version
        left = chunk_store.count_chunks(session, document_id=doc_id, keep_version=active)
    if left and active is not None:
        _remove_leftovers(ingestor, project_id, doc_id, keep_version=active)
    return FileOutcome(file_name, FileStatus.unchanged, document_id=doc_id)


def _read_and_split(
    ingestor: Ingestor, file_name: str, data: bytes
) -> tuple[ReadResult, list[PreparedChunk]]:
    """Raises ``UnreadableFile`` for a file that cannot be read or holds no text."""
    result = read_document(file_name, data, ingestor.limits)
    prepared = prepare_chunks(
        result, size=ingestor.settings.ingest.chunk_size, overlap=ingestor.settings.ingest.chunk_overlap
    )
    if not prepared:
        raise UnreadableFile("no text found in the file")
    return result, prepared


def _run_indexed_hooks(ingestor: Ingestor, project_id: str, doc_id: str) -> None:
    for hook in ingestor.on_indexed:
        try:
            hook(project_id, doc_id)
        except Exception:  # derived data (requirements, risks) must never cost the document itself
            log.exception("post-index step %s failed for %s", getattr(hook, "__name__", hook), doc_id)


def _ingest_attachments(
    ingestor: Ingestor, project_id: str, file_name: str, result: ReadResult, doc_id: str
) -> list[FileOutcome]:
    """Each attachment is ingested as a child document named ``<file_name>/<attachment>``."""
    outcomes: list[FileOutcome] = []
    for attachment in result.attachments:
        if PurePosixPath(attachment.file_name.lower()).suffix in _IMAGE_SUFFIXES:
            continue  # signature logos and inline pictures carry no text worth indexing
        outcomes.extend(
            ingest_any(
                ingestor,
                project_id=project_id,
                file_name=f"{file_name}/{attachment.file_name}",
                data=attachment.data,
                parent_id=doc_id,
            )
        )
    return outcomes


def ingest_any(
    ingestor: Ingestor, *, project_id: str, file_name: str, data: bytes, parent_id: str | None = None
) -> Iterator[FileOutcome]:
    """A file or an archive: archives yield one outcome per member."""
    if is_archive(file_name) and data[:2] == b"PK":
        try:
            for entry in expand_archive(file_name, data, ingestor.limits):
                if entry.error or entry.data is None:
                    yield FileOutcome(
                        entry.file_name, FileStatus.failed, entry.error or "could not be extracted"
                    )
                else:
                    yield ingest_file(
                        ingestor,
                        project_id=project_id,
                        file_name=entry.file_name,
                        data=entry.data,
                        parent_id=parent_id,
                    )
        except ArchiveRefused as exc:  # an attached archive: members read before a nested bomb are kept
            yield FileOutcome(file_name, FileStatus.failed, str(exc))
        return
    yield ingest_file(ingestor, project_id=project_id, file_name=file_name, data=data, parent_id=parent_id)


@dataclass(frozen=True)
class _Target:
    """The file being indexed and where it belongs."""

    project_id: str
    file_name: str
    data: bytes
    sha: str
    parent_id: str | None
    document_id: str | None  # a re-index: exactly this document, which must still exist


def _record_failure(ingestor: Ingestor, target: _Target, reason: str) -> FileOutcome:
    file_name = target.file_name
    with transaction(ingestor.sessions) as session:
        doc = documents.find_document(session, project_id=target.project_id, file_name=file_name)
        if target.document_id is not None and (doc is None or doc.id != target.document_id):
            return FileOutcome(file_name, FileStatus.failed, GONE_BEFORE_REINDEX)
        if doc is not None and doc.status == DocumentStatus.indexed.value:
            # A bad new version must not take away the good one readers already rely on.
            return FileOutcome(
                file_name,
                FileStatus.failed,
                f"{reason} (the previously indexed version is kept)",
                document_id=doc.id,
            )
        if doc is None:
            doc = documents.create_document(
                session, project_id=target.project_id, file_name=file_name, parent_id=target.parent_id
            )
        doc.status, doc.reason = DocumentStatus.failed.value, reason
        doc.sha256, doc.size = target.sha, len(target.data)
        return FileOutcome(file_name, FileStatus.failed, reason, document_id=doc.id)


def _write(
    ingestor: Ingestor,
    target: _Target,
    result: ReadResult,
    prepared: list[PreparedChunk],
    vectors: np.ndarray,
    doc_type: DocumentType | None,
) -> str:
    """Index a read file as its document's new version, in steps chosen so that a crash at any point leaves
    a state the next attempt (a retry, a re-upload, a re-index) repairs:

    1. the original is kept, written whole or not at all;
    2. one commit removes the rows any unfinished attempt left (every version but the active one; their
       vectors go just before) and writes the new version's chunk rows, inactive;
    3. the new vectors are upserted (writing the same ids again is harmless);
    4. one commit makes the new version the active one: readers see the old chunks before it, the new after;
    5. the old version's vectors, then its rows, are removed.

    A failure in 3 removes the new version again at once; a crash leaves leftovers that step 2 of the next
    attempt removes (or, for unchanged bytes, ``_unchanged_outcome``). Vectors are written after their rows
    and removed before them, so a leftover vector always has a leftover row that reveals it."""
    full_text = "\n".join(s.text for s in result.segments)
    _keep_original(ingestor.settings, target)
    staged = _stage_chunks(ingestor, target, full_text, result, prepared, doc_type)
    ingested_at = utcnow()
    meta = _vector_metadata(target, result, staged, ingested_at)
    _add_vectors_or_unstage(ingestor, target.project_id, staged, vectors, meta)
    _activate(ingestor, target, staged, full_text, result, ingested_at)
    _remove_leftovers(ingestor, target.project_id, staged.doc_id, keep_version=staged.version)
    return staged.doc_id


@dataclass
class _Staged:
    """A new version's chunk rows, committed but not yet active: readers still see the old version."""

    doc_id: str
    version: str
    doc_type: DocumentType
    overridden: bool
    rows: list[Chunk]


def _keep_original(settings: Settings, target: _Target) -> None:
    """Written to a temporary file and renamed, so a crash never leaves a cut-off original under the hash
    name (which a later re-index would read as the document)."""
    original = original_path(settings, target.project_id, target.file_name, target.sha)
    if original.exists():
        return
    original.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=original.parent, prefix=".partial-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(target.data)
        os.replace(partial, original)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _stage_chunks(
    ingestor: Ingestor,
    target: _Target,
    full_text: str,
    result: ReadResult,
    prepared: list[PreparedChunk],
    doc_type: DocumentType | None,
) -> _Staged:
    """Step 2 of ``_write``: register the document if new, clear what unfinished attempts left and write
    the new version's chunk rows, in one transaction."""
    with transaction(ingestor.sessions) as session:
        doc = documents.find_document(session, project_id=target.project_id, file_name=target.file_name)
        known = (doc.id, doc.active_version) if doc is not None else None
    if known is not None:  # a store that fails here would fail the write too: the file fails, nothing changed
        ingestor.vectors.delete(target.project_id, document_id=known[0], keep_version=known[1])
    with transaction(ingestor.sessions) as session:
        doc = documents.find_document(session, project_id=target.project_id, file_name=target.file_name)
        if target.document_id is not None and (doc is None or doc.id != target.document_id):
            raise DocumentGone(GONE_BEFORE_REINDEX)
        if doc is None:
            # With its hash at once: the original is kept, so a re-index can finish what a crash cut short.
            doc = documents.create_document(
                session,
                project_id=target.project_id,
                file_name=target.file_name,
                status=DocumentStatus.reading.value,
                sha256=target.sha,
                size=len(target.data),
            )
        overridden = doc_type is not None or doc.doc_type_overridden
        final_type = doc_type or (
            DocumentType(doc.doc_type)
            if doc.doc_type_overridden
            else detect_doc_type(target.file_name, full_text, kind_hint=result.kind_hint)
        )
        doc_id, old_version = doc.id, doc.active_version
        # Rows of any version but the active one are an unfinished attempt's, possibly with this attempt's ids.
        chunk_store.delete_chunks(session, document_id=doc_id, keep_version=old_version)
        # Versions are content hashes plus a generation, so re-indexing the same bytes also swaps atomically.
        version = _next_version(target.sha, old_version)
        rows = _chunk_rows(target.project_id, doc_id, version, prepared)
        chunk_store.add_chunks(session, chunks=rows)
    return _Staged(doc_id, version, final_type, overridden, rows)


def _chunk_rows(project_id: str, doc_id: str, version: str, prepared: list[PreparedChunk]) -> list[Chunk]:
    return [
        Chunk(
            id=f"{doc_id}:{version[:16]}{version[64:]}:{i}",
            project_id=project_id,
            document_id=doc_id,
            version=version,
            position=i,
            text=c.text,
            tokens=" ".join(tokenize(c.text)),
            page=c.page,
            section=c.section,
            char_start=c.char_start,
            char_end=c.char_end,
            content_hash=hashlib.sha256(c.text.encode()).hexdigest(),
        )
        for i, c in enumerate(prepared)
    ]


def _vector_metadata(
    target: _Target, result: ReadResult, staged: _Staged, ingested_at: dt.datetime
) -> list[dict[str, object]]:
    """What the vector store keeps beside each chunk, for filtering and display."""
    project_id, file_name = target.project_id, target.file_name
    return [
        {
            "project_id": project_id,
            "document_id": staged.doc_id,
            "version": staged.version,
            "file_name": file_name,
            "doc_type": staged.doc_type.value,
            "position": r.position,
            **({"page": r.page} if r.page is not None else {}),
            **({"section": r.section[:500]} if r.section else {}),
            **({"doc_date": d.isoformat()} if (d := document_date(file_name, result)) else {}),
            "content_hash": r.content_hash,
            "ingested_at": ingested_at.isoformat(),
        }
        for r in staged.rows
    ]


def _add_vectors_or_unstage(
    ingestor: Ingestor, project_id: str, staged: _Staged, vectors: np.ndarray, meta: list[dict[str, object]]
) -> None:
    """Step 3: add the new version's vectors; if that fails, remove its rows and whatever of its vectors
    were written, and re-raise."""
    try:
        ingestor.vectors.add(project_id, [r.id for r in staged.rows], vectors, meta)
    except Exception:
        try:
            ingestor.vectors.delete(project_id, document_id=staged.doc_id, version=staged.version)
            with transaction(ingestor.sessions) as session:
                chunk_store.delete_chunks(session, document_id=staged.doc_id, version=staged.version)
        except Exception as exc:  # what stays is removed by the next attempt's step 2
            log.warning("the unfinished version of %s stays until the next attempt: %s", staged.doc_id, exc)
        raise


def _activate(
    ingestor: Ingestor,
    target: _Target,
    staged: _Staged,
    full_text: str,
    result: ReadResult,
    ingested_at: dt.datetime,
) -> None:
    """Step 4, the commit that swaps versions: from here readers see the new chunks and the document's new
    facts. It refuses to flip to a version whose rows are no longer all there (another attempt at the same
    document removed them as leftovers): that attempt's version stands."""
    with transaction(ingestor.sessions) as session:
        doc = session.get(Document, staged.doc_id)
        if doc is not None:
            written = chunk_store.count_chunks(session, document_id=doc.id, version=staged.version)
            if written != len(staged.rows):
                raise ConflictError("the document was changed by another upload at the same time; try again")
            _mark_indexed(doc, target, staged, full_text, result, ingested_at)
    if doc is None:  # deleted meanwhile, its rows with it: the vectors just written must go too
        try:
            ingestor.vectors.delete(target.project_id, document_id=staged.doc_id)
        except AssistantError as exc:  # invisible: no document, no rows
            log.warning("vectors of the deleted %s stay in the store: %s", staged.doc_id, exc)
        raise DocumentGone("the document was deleted while it was being indexed")


def _mark_indexed(
    doc: Document,
    target: _Target,
    staged: _Staged,
    full_text: str,
    result: ReadResult,
    ingested_at: dt.datetime,
) -> None:
    doc.sha256, doc.size, doc.active_version = target.sha, len(target.data), staged.version
    doc.status, doc.reason, doc.warnings = DocumentStatus.indexed.value, None, result.warnings
    doc.doc_type, doc.doc_type_overridden = staged.doc_type.value, staged.overridden
    doc.language = detect_language(full_text)
    doc.title, doc.doc_date = result.title, document_date(target.file_name, result)
    doc.meta, doc.page_count = result.metadata, result.page_count
    doc.chunk_count, doc.indexed_at = len(staged.rows), ingested_at
    doc.parent_id = target.parent_id or doc.parent_id


def _next_version(sha: str, old_version: str | None) -> str:
    if old_version is None or not old_version.startswith(sha):
        return sha
    generation = int(old_version[65:] or 0) + 1 if len(old_version) > 64 else 1
    return f"{sha}-{generation}"


def _remove_leftovers(ingestor: Ingestor, project_id: str, doc_id: str, *, keep_version: str) -> None:
    """Every version but the active one goes, vectors first. Best effort: they are invisible to readers
    already, and what stays is removed by the next attempt at this document."""
    try:
        ingestor.vectors.delete(project_id, document_id=doc_id, keep_version=keep_version)
        with transaction(ingestor.sessions) as session:
            chunk_store.delete_chunks(session, document_id=doc_id, keep_version=keep_version)
    except Exception as exc:
        log.warning("old versions of %s stay until the next attempt: %s", doc_id, exc)


def retag(ingestor: Ingestor, session: Session, doc: Document) -> None:
    """Changing only the type of an unchanged document updates the vector metadata in place."""
    ids = [r.id for r in chunk_store.document_chunks(session, document_id=doc.id)]
    ingestor.vectors.update_metadata(doc.project_id, ids, {"doc_type": doc.doc_type})


def delete_document(ingestor: Ingestor, *, project_id: str, document_id: str) -> list[str]:
    """Remove a document (and its attachments) from the registry and both indexes; returns the ids removed."""
    with transaction(ingestor.sessions) as session:
        doc = documents.get_document(session, project_id=project_id, document_id=document_id)
        victims = [doc, *documents.children_of(session, document_id=doc.id)]
        ids = [d.id for d in victims]
        for victim in victims:
            documents.delete_document(session, document=victim)
    for doc_id in ids:
        try:
            ingestor.vectors.delete(project_id, document_id=doc_id)
        except AssistantError as exc:
            log.warning("vectors of deleted %s stay in the store until the next clean-up: %s", doc_id, exc)
    return ids
