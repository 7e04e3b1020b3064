"""Staging an upload: its files, archives expanded, are written under the uploads folder before the job is
recorded, so the request can answer at once and the worker reads them later (ingest/jobs.py)."""

from __future__ import annotations

import io
import itertools
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from assistant.db import transaction
from assistant.documents.models import DocumentType
from assistant.errors import ProviderUnavailableError, TooLargeError, UnsupportedTypeError
from assistant.jobs import repository as jobs
from assistant.jobs.models import FileStatus
from ingest.pipeline import Ingestor, extension_supported, is_archive
from ingest.readers import (
    SUPPORTED_EXTENSIONS,
    ArchiveRefused,
    ExpansionBudget,
    ReadLimits,
    expand_archive,
    expand_folder,
)

_COPY_CHUNK = 1024 * 1024


@dataclass
class Upload:
    """One file of an upload. Its bytes are ``data``, or ``source``: a seekable file the web server spooled
    the upload to, read only while it is staged, so a big upload never sits in memory whole."""

    file_name: str
    data: bytes = b""
    error: str | None = None  # set when the file could not even be taken out of its folder or archive
    size: int | None = None  # the real size, when known without reading
    source: BinaryIO | None = None

    @property
    def real_size(self) -> int:
        if self.size is not None:
            return self.size
        if self.source is not None:
            return self.source.seek(0, os.SEEK_END)
        return len(self.data)

    def open(self) -> BinaryIO:
        """The bytes from the start."""
        if self.source is None:
            return io.BytesIO(self.data)
        self.source.seek(0)
        return self.source

    def starts_with(self, magic: bytes) -> bool:
        return self.open().read(len(magic)) == magic


def too_large_reason(size: int, max_bytes: int) -> str:
    return f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit (ASSISTANT_MAX_FILE_MB)"


def _supported_list() -> str:
    return ", ".join(sorted(SUPPORTED_EXTENSIONS))


def _unsupported_reason(name: str) -> str:
    return f"unsupported file type {PurePosixPath(name).suffix or '(none)'} (supported: {_supported_list()})"


def check_uploads(uploads: list[Upload], *, max_bytes: int) -> None:
    """Refuse a request none of whose files could ever be ingested; a mixed batch goes on file by file."""
    if not uploads:
        raise UnsupportedTypeError("no files were uploaded (multipart field 'files')")
    if all(not extension_supported(u.file_name) for u in uploads):
        names = ", ".join(u.file_name for u in uploads[:5])
        raise UnsupportedTypeError(f"unsupported file type: {names} (supported: {_supported_list()})")
    if all(u.real_size > max_bytes for u in uploads):
        raise TooLargeError(too_large_reason(max(u.real_size for u in uploads), max_bytes))


@dataclass
class _Staged:
    file_name: str
    path: Path | None  # None: it failed before being written (``reason`` says why)
    reason: str | None = None


class _Stager:
    """Writes one upload's files under its job folder. Staged files are named by a counter and a known
    extension: no name a client or an archive gives reaches a path. One budget (files, expanded bytes) for
    the whole upload; an archive that breaks it, or looks like a bomb, is one failed row and leaves nothing."""

    def __init__(self, folder: Path, limits: ReadLimits) -> None:
        self.folder, self.limits = folder, limits
        self.budget = ExpansionBudget(limits)
        self.files: list[_Staged] = []
        self._names = itertools.count()

    def add(self, upload: Upload) -> None:
        name, limits = upload.file_name, self.limits
        if upload.error is not None:
            self._fail(name, upload.error)
        elif upload.real_size > limits.max_file_bytes:
            self._fail(name, too_large_reason(upload.real_size, limits.max_file_bytes))
        elif is_archive(name) and upload.starts_with(b"PK"):
            self._add_archive(upload)
        elif not extension_supported(name):
            self._fail(name, _unsupported_reason(name))
        elif (over := self.budget.admit(1, upload.real_size)) is not None:
            self._fail(name, over)
        else:
            with self._create(name) as (path, out):
                shutil.copyfileobj(upload.open(), out, _COPY_CHUNK)
            self.files.append(_Staged(name, path))

    def _add_archive(self, upload: Upload) -> None:
        first, mark = len(self.files), self.budget.mark()
        try:
            for entry in expand_archive(upload.file_name, upload.open(), self.limits, self.budget):
                if entry.error is not None or entry.data is None:
                    self._fail(entry.file_name, entry.error or "could not be extracted")
                else:
                    with self._create(entry.file_name) as (path, out):
                        out.write(entry.data)
                    self.files.append(_Staged(entry.file_name, path))
        except ArchiveRefused as exc:
            for staged in self.files[first:]:
                if staged.path is not None:
                    staged.path.unlink(missing_ok=True)
            del self.files[first:]
            self.budget.reset(mark)
            self._fail(upload.file_name, str(exc))

    def _fail(self, name: str, reason: str) -> None:
        self.files.append(_Staged(name, None, reason))

    @contextmanager
    def _create(self, name: str) -> Iterator[tuple[Path, BinaryIO]]:
        """A new staged file to write; a partial one is removed if writing fails."""
        suffix = PurePosixPath(name.lower()).suffix
        path = self.folder / f"{next(self._names):06d}{suffix if suffix in SUPPORTED_EXTENSIONS else ''}"
        try:
            with path.open("xb") as out:
                yield path, out
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def stage_job(
    ingestor: Ingestor, *, project_id: str, uploads: Iterable[Upload], doc_type: DocumentType | None = None
) -> str:
    """Write the files (archives expanded) under the uploads folder, then record the queued job with one row
    per file in one commit. One call is one upload: all its files share the budgets. It reads and inflates
    for seconds on a big upload, so call it from a worker thread, never on the event loop. If it fails,
    nothing of it is left."""
    job_id = jobs.new_job_id()
    folder = ingestor.settings.uploads_dir / job_id
    folder.mkdir(parents=True, exist_ok=True)
    try:
        stager = _Stager(folder, ingestor.limits)
        for upload in uploads:
            stager.add(upload)
        with transaction(ingestor.sessions) as session:
            job = jobs.create_job(session, project_id=project_id, job_id=job_id)
            for position, staged in enumerate(stager.files):
                jobs.add_file(
                    session,
                    job=job,
                    position=position,
                    file_name=staged.file_name,
                    staged_path=str(staged.path) if staged.path else None,
                    status=FileStatus.failed if staged.reason else FileStatus.queued,
                    reason=staged.reason,
                    doc_type=doc_type.value if doc_type else None,
                )
    except OSError as exc:  # the disk is full or gone: the request fails whole, with nothing left behind
        shutil.rmtree(folder, ignore_errors=True)
        raise ProviderUnavailableError(
            f"the server could not store the upload ({exc.strerror or type(exc).__name__}); nothing was kept"
        ) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job_id


def folder_uploads(path: Path, ingestor: Ingestor) -> Iterable[Upload]:
    for entry in expand_folder(path, ingestor.limits):
        if entry.error or entry.data is None:
            yield Upload(entry.file_name, b"", entry.error or "could not be read")
        else:
            yield Upload(entry.file_name, entry.data)
