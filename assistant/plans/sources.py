"""The passages a plan is read from: the active chunks of a project's indexed documents, as ``SourceChunk``s.

Documents come in file order for the reader's "later document wins": by their own date (undated ones last),
then by file name, so an e-mail's attachment follows its mail; chunks by position within each document.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.documents.models import Chunk, Document, DocumentStatus
from assistant.plans.facts import SourceChunk


def load_chunks(session: Session, project_id: str) -> list[SourceChunk]:
    rows = session.execute(
        select(Chunk, Document)
        .join(Document, Document.id == Chunk.document_id)
        .where(
            Document.project_id == project_id,
            Document.status == DocumentStatus.indexed.value,
            Chunk.version == Document.active_version,
        )
        .order_by(Document.doc_date.is_(None), Document.doc_date, Document.file_name, Chunk.position)
    )
    return [
        SourceChunk(
            chunk_id=chunk.id,
            document_id=doc.id,
            file_name=doc.file_name,
            text=chunk.text,
            position=chunk.position,
            page=chunk.page,
            section=chunk.section,
            doc_date=doc.doc_date,
            language=doc.language,
        )
        for chunk, doc in rows
    ]
