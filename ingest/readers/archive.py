"""ZIP archives and folders, expanded into the documents they hold, each failing alone.

An archive is judged from its central directory before a byte is inflated: a member with an unsafe name,
an unsupported type or over the file limit fails alone; a suspected bomb, or more files or bytes than the
upload has left of its budgets, refuses the archive whole with one reason.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ingest.names import clean_path, fit_name, shown_name, unsafe_member_reason
from ingest.readers.base import (
    SUPPORTED_EXTENSIONS,
    ReadLimits,
    UnreadableFile,
    format_limit,
    short_cause,
    too_large_message,
    unsupported_type_message,
)

_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP Unicode Path extra field


@dataclass
class ArchiveEntry:
    file_name: str  # path inside, e.g. "specs.zip/erp/接口规范.docx"
    data: bytes | None
    error: str | None = None


class ArchiveRefused(UnreadableFile):
    """The archive is refused whole: corrupt, a suspected zip bomb, or more than the upload's budgets.
    ``str(exc)`` is its one reason; whatever was already taken from it must be discarded."""


@dataclass
class ExpansionBudget:
    """What one upload has used of its budgets (``ReadLimits.max_files``, ``max_total_bytes``): shared by all
    its files and by every archive in them, nested ones included, so that many small archives cannot add up
    to more than one big one may."""

    limits: ReadLimits
    files: int = 0
    total: int = 0

    def admit(self, files: int, size: int) -> str | None:
        """Count ``files`` files of ``size`` bytes in all; the reason when they do not fit (then nothing is
        counted)."""
        limits = self.limits
        if self.files + files > limits.max_files:
            return f"the upload would hold more than {limits.max_files} files (ASSISTANT_MAX_UPLOAD_FILES)"
        if self.total + size > limits.max_total_bytes:
            return (
                f"the upload would expand to more than {format_limit(limits.max_total_bytes)} "
                "(ASSISTANT_ZIP_MAX_TOTAL_MB)"
            )
        self.files, self.total = self.files + files, self.total + size
        return None

    def release(self, *, files: int, size: int) -> None:
        self.files, self.total = self.files - files, self.total - size

    def mark(self) -> tuple[int, int]:
        return self.files, self.total

    def reset(self, mark: tuple[int, int]) -> None:
        """Give back what an archive refused whole had taken."""
        self.files, self.total = mark


@dataclass
class _Member:
    info: zipfile.ZipInfo
    file_name: str  # as shown: "<archive>/<path inside>"
    error: str | None  # why it fails alone
    inner_name: str = ""  # the cleaned path inside the archive


def _unicode_path(info: zipfile.ZipInfo) -> str | None:
    extra, i = info.extra, 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[i : i + 4])
        body = extra[i + 4 : i + 4 + size]
        if kind == _UNICODE_PATH_EXTRA and len(body) > 5 and body[0] == 1:
            # The field only counts if it was written for this very name (CRC of the raw header name).
            try:
                raw = info.orig_filename.encode("cp437")
            except UnicodeEncodeError:
                return None
            if struct.unpack("<I", body[1:5])[0] == zlib.crc32(raw):
                try:
                    return body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
        i += 4 + size
    return None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: Windows tools store Chinese names as GBK bytes without the UTF-8 flag."""
    name = info.orig_filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    if (unicode_name := _unicode_path(info)) is not None:
        return unicode_name
    try:
        raw = name.encode("cp437")  # zipfile decoded the raw bytes as cp437; get them back
    except UnicodeEncodeError:
        return name
    for codec in ("utf-8", "gbk", "gb18030"):  # utf-8 first: macOS and 7-Zip often omit the flag
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def is_skipped(path: str) -> bool:
    """Directories' junk, macOS resource forks, hidden files and Office lock files are not documents."""
    parts = PurePosixPath(path).parts
    if not parts or "__MACOSX" in parts:
        return True
    name = parts[-1]
    return any(p.startswith(".") for p in parts) or name.lower() in _JUNK_NAMES or name.startswith("~$")


def _extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | str:
    """The member's bytes, or the reason it cannot be had; never reads more than ``cap`` + 1 bytes."""
    if info.flag_bits & 0x1 or info.compress_type == 99:  # 99: WinZip AES
        return "encrypted member: a password is needed to extract it"
    try:
        with zf.open(info) as f:
            data = f.read(cap + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        return f"corrupt member: {short_cause(exc)}"
    except NotImplementedError as exc:
        return f"cannot extract member: {short_cause(exc)}"
    except RuntimeError as exc:  # zipfile raises RuntimeError for encrypted members it did not flag
        return f"encrypted member: {short_cause(exc)}"
    if len(data) > cap:
        return "corrupt member: it expands past its declared size"
    return data


def _open_zip(source: BinaryIO) -> zipfile.ZipFile | str:
    """The archive, or the reason it cannot be opened."""
    try:
        return zipfile.ZipFile(source)
    except Exception as exc:  # BadZipFile, NotImplementedError for odd versions, ...: all mean corrupt
        return f"corrupt ZIP archive: {short_cause(exc)}"


def _member_problem(info: zipfile.ZipInfo, name: str, limits: ReadLimits, depth: int) -> str | None:
    """Why this member fails alone, known before it is opened; None if it is to be read."""
    ext = _extension(name)
    if ext not in SUPPORTED_EXTENSIONS:
        return unsupported_type_message(ext)
    if ext == ".zip" and depth >= limits.zip_max_depth:
        return f"archive nested too deep (over {limits.zip_max_depth} levels)"
    if info.file_size > limits.max_file_bytes:
        return too_large_message(info.file_size, limits.max_file_bytes)
    return None


def _plan(zf: zipfile.ZipFile, file_name: str, budget: ExpansionBudget, depth: int) -> list[_Member]:
    """Every member with its shown name and, for one that fails alone, its reason. Raises ArchiveRefused
    for a suspected bomb or an archive the upload's budgets cannot hold. The declared sizes it trusts are
    enforced by ``_open_member``, which never reads a member past its declared size."""
    limits = budget.limits
    members: list[_Member] = []
    for info in zf.infolist():
        if info.is_dir():
            continue
        raw = member_name(info)
        if (unsafe := unsafe_member_reason(raw)) is not None:
            reason = f"unsafe name in the archive: {unsafe}; the member was not taken"
            members.append(_Member(info, fit_name(f"{file_name}/{shown_name(raw)}"), reason))
            continue
        name = clean_path(raw)
        if is_skipped(name):
            continue
        problem = _member_problem(info, name, limits, depth)
        members.append(_Member(info, fit_name(f"{file_name}/{name}"), problem, name))
    readable = [m for m in members if m.error is None]
    for m in readable:
        # Every member, however small: three hundred 1 MB bombs fill a disk as well as one 300 MB bomb.
        ratio = m.info.file_size / max(m.info.compress_size, 1)
        if ratio > limits.zip_max_ratio:
            raise ArchiveRefused(
                f"zip bomb suspected: {m.file_name!r} expands {ratio:.0f} times its compressed size (limit "
                f"{limits.zip_max_ratio}, ASSISTANT_ZIP_MAX_RATIO); nothing was taken from the archive"
            )
    if (over := budget.admit(len(members), sum(m.info.file_size for m in readable))) is not None:
        raise ArchiveRefused(f"{over}; nothing was taken from the archive")
    return members


def _expand(
    file_name: str, zf: zipfile.ZipFile, budget: ExpansionBudget, depth: int
) -> Iterator[ArchiveEntry]:
    with zf:
        for m in _plan(zf, file_name, budget, depth):
            if m.error is not None:
                yield ArchiveEntry(m.file_name, None, m.error)
                continue
            content = _open_member(zf, m.info, m.info.file_size)
            if isinstance(content, str):
                yield ArchiveEntry(m.file_name, None, content)
            elif _extension(m.inner_name) != ".zip":
                yield ArchiveEntry(m.file_name, content, None)
            elif isinstance(nested := _open_zip(io.BytesIO(content)), str):
                yield ArchiveEntry(m.file_name, None, nested)
            else:
                yield from _expand(m.file_name, nested, budget, depth + 1)
                budget.release(files=1, size=len(content))  # only its members are kept, not the archive


def expand_archive(
    file_name: str,
    data: bytes | BinaryIO,
    limits: ReadLimits = ReadLimits(),
    budget: ExpansionBudget | None = None,
) -> Iterator[ArchiveEntry]:
    """Every document inside a ZIP (recursively); a member that fails alone comes with ``error`` set.

    Raises ``ArchiveRefused`` when the archive as a whole is refused (corrupt, a suspected bomb, over the
    budgets), possibly after some members came out: the caller discards what it took from it. ``budget`` is
    the upload's, shared by all its files (default: one for this archive alone, from ``limits``)."""
    zf = _open_zip(io.BytesIO(data) if isinstance(data, bytes) else data)
    if isinstance(zf, str):
        raise ArchiveRefused(zf)
    yield from _expand(file_name, zf, budget or ExpansionBudget(limits), depth=1)


def expand_folder(path: Path, limits: ReadLimits = ReadLimits()) -> Iterator[ArchiveEntry]:
    """Every document under a folder, named "<folder>/<relative path>". ZIPs in it come out whole, to be
    expanded like any uploaded archive, against the budgets of the upload they join."""
    path = Path(path)
    if not path.is_dir():
        yield ArchiveEntry(path.name or str(path), None, f"not a folder: {path}")
        return
    label = path.resolve().name  # "." names the folder itself
    files = total = 0  # what is held in memory: the same budgets as an upload's
    for root, dirs, names in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not is_skipped(d))
        for name in sorted(names):
            file_path = Path(root) / name
            rel = file_path.relative_to(path).as_posix()
            if is_skipped(rel):
                continue
            full = f"{label}/{rel}" if label else rel
            files += 1
            if files > limits.max_files:
                yield ArchiveEntry(label, None, f"more than {limits.max_files} files; stopped reading")
                return
            ext = _extension(name)
            if file_path.is_symlink():
                yield ArchiveEntry(full, None, "symbolic link, not followed")
                continue
            if ext not in SUPPORTED_EXTENSIONS:
                yield ArchiveEntry(full, None, unsupported_type_message(ext))
                continue
            try:
                size = file_path.stat().st_size
                if size > limits.max_file_bytes:
                    yield ArchiveEntry(full, None, too_large_message(size, limits.max_file_bytes))
                    continue
                if total + size > limits.max_total_bytes:
                    yield ArchiveEntry(
                        label,
                        None,
                        f"holds more than {format_limit(limits.max_total_bytes)}; stopped reading",
                    )
                    return
                data = file_path.read_bytes()
            except OSError as exc:
                yield ArchiveEntry(full, None, f"cannot read the file: {short_cause(exc)}")
                continue
            total += len(data)
            yield ArchiveEntry(full, data, None)
