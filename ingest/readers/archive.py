"""ZIP archives and folders, expanded into the documents they hold, each failing alone."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ingest.readers.base import (
    SUPPORTED_EXTENSIONS,
    ReadLimits,
    format_limit,
    short_cause,
    too_large_message,
    unsupported_type_message,
)

# Members smaller than this are never called bombs: a highly compressible small text file is harmless,
# and the total-size and per-file limits still bound what is read.
RATIO_FLOOR = 1024 * 1024
_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP Unicode Path extra field


@dataclass
class ArchiveEntry:
    file_name: str  # path inside, e.g. "specs.zip/erp/接口规范.docx"
    data: bytes | None
    error: str | None = None


@dataclass
class _Budget:
    """Counts shared by an archive and the archives nested in it."""

    limits: ReadLimits
    files: int = 0
    total: int = 0
    stopped: bool = False


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


def _clean_path(name: str) -> str:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts)


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


def _expand(file_name: str, data: bytes, budget: _Budget, depth: int) -> Iterator[ArchiveEntry]:
    limits = budget.limits
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, NotImplementedError for odd versions, ...: all mean corrupt
        yield ArchiveEntry(file_name, None, f"corrupt ZIP archive: {short_cause(exc)}")
        return
    with zf:
        for info in zf.infolist():
            if budget.stopped:
                return
            name = _clean_path(member_name(info))
            if info.is_dir() or is_skipped(name):
                continue
            full = f"{file_name}/{name}"
            budget.files += 1
            if budget.files > limits.zip_max_files:
                budget.stopped = True
                yield ArchiveEntry(
                    file_name, None, f"more than {limits.zip_max_files} files; stopped expanding"
                )
                return
            ext = _extension(name)
            if ext not in SUPPORTED_EXTENSIONS:
                yield ArchiveEntry(full, None, unsupported_type_message(ext))
                continue
            if ext == ".zip" and depth >= limits.zip_max_depth:
                yield ArchiveEntry(
                    full, None, f"archive nested too deep (over {limits.zip_max_depth} levels)"
                )
                continue
            ratio = info.file_size // max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR and ratio > limits.zip_max_ratio:
                yield ArchiveEntry(
                    full,
                    None,
                    f"zip bomb suspected: expands {ratio} times its compressed size "
                    f"(limit {limits.zip_max_ratio})",
                )
                continue
            if info.file_size > limits.max_file_bytes:
                yield ArchiveEntry(full, None, too_large_message(info.file_size, limits.max_file_bytes))
                continue
            if budget.total + info.file_size > limits.zip_max_total_bytes:
                budget.stopped = True
                yield ArchiveEntry(
                    file_name,
                    None,
                    f"expands to more than {format_limit(limits.zip_max_total_bytes)}; stopped expanding",
                )
                return
            content = _open_member(zf, info, info.file_size)
            if isinstance(content, str):
                yield ArchiveEntry(full, None, content)
                continue
            budget.total += len(content)
            if ext == ".zip":
                yield from _expand(full, content, budget, depth + 1)
            else:
                yield ArchiveEntry(full, content, None)


def expand_archive(file_name: str, data: bytes, limits: ReadLimits = ReadLimits()) -> Iterator[ArchiveEntry]:
    """Every document inside a ZIP (recursively); a member that breaks a limit comes with ``error`` set."""
    yield from _expand(file_name, data, _Budget(limits), depth=1)


def expand_folder(path: Path, limits: ReadLimits = ReadLimits()) -> Iterator[ArchiveEntry]:
    """Every document under a folder, named "<folder>/<relative path>"; ZIPs in it are expanded too."""
    path = Path(path)
    if not path.is_dir():
        yield ArchiveEntry(path.name or str(path), None, f"not a folder: {path}")
        return
    label = path.resolve().name  # "." names the folder itself
    budget = _Budget(limits)
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not is_skipped(d))
        for name in sorted(files):
            file_path = Path(root) / name
            rel = file_path.relative_to(path).as_posix()
            if is_skipped(rel):
                continue
            full = f"{label}/{rel}" if label else rel
            budget.files += 1
            if budget.files > limits.zip_max_files:
                yield ArchiveEntry(label, None, f"more than {limits.zip_max_files} files; stopped reading")
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
                if budget.total + size > limits.zip_max_total_bytes:
                    yield ArchiveEntry(
                        label,
                        None,
                        f"holds more than {format_limit(limits.zip_max_total_bytes)}; stopped reading",
                    )
                    return
                data = file_path.read_bytes()
            except OSError as exc:
                yield ArchiveEntry(full, None, f"cannot read the file: {short_cause(exc)}")
                continue
            budget.total += len(data)
            if ext == ".zip":
                yield from _expand(full, data, budget, depth=1)
                if budget.stopped:
                    return
            else:
                yield ArchiveEntry(full, data, None)
