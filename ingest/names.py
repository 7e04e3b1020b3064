"""File names are data. What a client or an archive calls a file is cleaned for showing and matching, and is
never used to build a path on this server: staged uploads are named by their position in the job, kept
originals by their content hash (ingest/jobs.py, ingest/pipeline.py)."""

from __future__ import annotations

import re

# documents.file_name and job_files.file_name are String(1000); PostgreSQL refuses longer values.
MAX_NAME_CHARS = 1000
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_path(name: str) -> str:
    """A relative path of plain parts: backslashes made slashes, a drive letter, empty, '.' and '..' parts
    and control characters dropped."""
    name = _DRIVE.sub("", _CONTROL.sub("", name).replace("\\", "/"))
    return "/".join(p for p in name.split("/") if p not in ("", ".", ".."))


def fit_name(name: str) -> str:
    """Long names keep their end, where the file's own name and extension are."""
    return name if len(name) <= MAX_NAME_CHARS else "…" + name[-(MAX_NAME_CHARS - 1) :]


def clean_upload_name(raw: str | None) -> str:
    """The name of an uploaded file as the documents list shows it. Browsers send a bare name; anything
    path-like a client adds ('../', '/etc/', 'C:\\') is dropped rather than refused, since it is only a label."""
    return fit_name(clean_path(raw or "")) or "upload"


def unsafe_member_reason(raw: str) -> str | None:
    """Why an archive member's name would place it outside the archive ('zip slip'), or None. Such a member
    is refused: an archive tool that honoured the name would write somewhere else on the disk."""
    name = raw.replace("\\", "/")
    if "\x00" in name:
        return "its name holds a NUL character"
    if name.startswith("/"):
        return "its name is an absolute path"
    if _DRIVE.match(name):
        return "its name starts with a drive letter"
    if ".." in name.split("/"):
        return "its name climbs out of the archive ('..')"
    return None


def shown_name(raw: str) -> str:
    """A name as received, for showing beside its reason (control characters dropped, length fitted)."""
    return fit_name(_CONTROL.sub("", raw))
