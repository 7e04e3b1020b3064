"""A project's main language, zh or en: which language a project-wide file (the matrix's headers) speaks."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from assistant.documents import repository as documents
from assistant.language import statement_language
from assistant.projects import repository as projects
from assistant.requirements import repository as requirements


def main_language(session: Session, *, project_id: str) -> str:
    """The language most of the project's indexed text is in: each document votes with its number of chunks,
    a 'mixed' one half for each language. Without indexed documents, the stored requirement statements vote
    one each; without those, or on a tie, the project's name decides (a Chinese name: zh)."""
    votes: Counter[str] = Counter()
    for doc in documents.indexed_documents(session, project_id=project_id):
        weight = max(doc.chunk_count, 1)
        if doc.language in ("zh", "en"):
            votes[doc.language] += 2 * weight
        elif doc.language == "mixed":
            votes["zh"] += weight
            votes["en"] += weight
    if not votes:
        rows, _ = requirements.list_requirements(session, project_id=project_id, limit=1_000_000)
        votes.update(r.language for r in rows if r.language in ("zh", "en"))
    if votes["zh"] != votes["en"]:
        return "zh" if votes["zh"] > votes["en"] else "en"
    return statement_language(projects.get_project(session, ref=project_id).name)
