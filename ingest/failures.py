"""What a person reads when a file or a job fails: the product's own sentence, or, for anything else (the
database, the disk, a bug), a sentence naming the part that failed. Never raw SQL, a traceback or a path on
the server: those are for the log, and a job's reason is shown to every reader of the project."""

from __future__ import annotations

import re
import sqlite3

from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import AssistantError
from ingest.readers import UnreadableFile

DATABASE_FAILED = "the database failed while saving the file, so it was not indexed; try again"
INTERNAL_ERROR = "internal error while indexing the file; the server log has the details"

# Two or more parts after a slash that follows no word, scheme or path character: "/srv/data/x.md", not
# "ERP/MES", "uploads/x" or "http://host/x".
_POSIX_PATH = re.compile(r"(?<![\w:/.~-])(?:/[^\s'\"/:,;()\[\]]+){2,}/?")
_WINDOWS_PATH = re.compile(r"(?<!\w)[A-Za-z]:\\[^\s'\"]+")


def scrub(text: str) -> str:
    """``text`` with paths on the server replaced by a word."""
    return _WINDOWS_PATH.sub("<server path>", _POSIX_PATH.sub("<server path>", text))


def failure_reason(exc: BaseException) -> str:
    """The sentence to store as a file's or a job's reason for ``exc``."""
    if isinstance(exc, AssistantError | UnreadableFile):
        text = str(exc)
        return DATABASE_FAILED if "[SQL:" in text else scrub(text)
    if isinstance(exc, SQLAlchemyError | sqlite3.Error):
        return DATABASE_FAILED
    if isinstance(exc, OSError):
        cause = exc.strerror or type(exc).__name__
        return f"the server could not read or write the file ({cause}); try again"
    return INTERNAL_ERROR
