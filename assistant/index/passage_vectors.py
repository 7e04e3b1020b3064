"""The rerank model's passage vectors, stored by the passage's text hash (the chunk's ``content_hash``).

A passage the rerank model has never read costs it 0.3-0.8 s at query time on two cores, so a background
task computes the vectors of every new chunk after indexing and keeps them here: they survive a restart and
are shared by every version of a document whose text did not change. All SQL of the table is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import LargeBinary, Select, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from assistant.db import Base, affected_rows, transaction
from assistant.documents.models import Chunk, Document, DocumentStatus

VECTOR_DTYPE = np.float32


class PassageVector(Base):
    __tablename__ = "passage_vectors"

    model: Mapped[str] = mapped_column(String(80), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


def stored_vectors(session: Session, *, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for i in range(0, len(hashes), 500):
        rows = session.execute(
            select(PassageVector.content_hash, PassageVector.vector).where(
                PassageVector.model == model, PassageVector.content_hash.in_(hashes[i : i + 500])
            )
        )
        out.update({h: np.frombuffer(v, dtype=VECTOR_DTYPE) for h, v in rows})
    return out


def store_vectors(session: Session, *, model: str, vectors: dict[str, np.ndarray]) -> None:
    known = set(stored_vectors(session, model=model, hashes=list(vectors)))
    session.add_all(
        PassageVector(model=model, content_hash=h, vector=np.asarray(v, dtype=VECTOR_DTYPE).tobytes())
        for h, v in vectors.items()
        if h not in known
    )
    session.flush()


class StoredPassageVectors:
    """The rerank step's PassageStore over this table."""

    def __init__(self, sessions: sessionmaker[Session], model: str) -> None:
        self._sessions = sessions
        self.model = model

    def get(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        with transaction(self._sessions) as session:
            return stored_vectors(session, model=self.model, hashes=hashes)

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        try:
            with transaction(self._sessions) as session:
                store_vectors(session, model=self.model, vectors=vectors)
        except IntegrityError:  # a search and the warm-up stored the same passage at once: it is there
            pass


def _active_chunks(document_ids: Iterable[str] | None) -> Select[str, str, str]:
    query = (
        select(Chunk.document_id, Chunk.content_hash, Chunk.text)
        .join(Document, Document.id == Chunk.document_id)
        .where(Chunk.version == Document.active_version, Document.status == DocumentStatus.indexed.value)
    )
    if document_ids is not None:
        query = query.where(Chunk.document_id.in_(list(document_ids)))
    return query


def _without_vectors(
    session: Session, *, model: str, document_ids: Sequence[str] | None
) -> list[tuple[str, str, str]]:
    """(document id, content_hash, text) of the visible chunks that have no vector for ``model`` yet."""
    rows = session.execute(_active_chunks(document_ids)).all()
    have = stored_vectors(session, model=model, hashes=sorted({h for _, h, _ in rows}))
    return [(doc_id, h, text) for doc_id, h, text in rows if h not in have]


def missing_passages(
    session: Session, *, model: str, document_ids: Sequence[str] | None = None
) -> dict[str, str]:
    """content_hash -> text of the chunks still to read, of these documents (default: every indexed one)."""
    return {h: text for _, h, text in _without_vectors(session, model=model, document_ids=document_ids)}


def documents_ready(session: Session, *, model: str, document_ids: Sequence[str]) -> dict[str, bool]:
    """Whether every visible chunk of each document has its vector."""
    waiting = {doc_id for doc_id, _, _ in _without_vectors(session, model=model, document_ids=document_ids)}
    return {doc_id: doc_id not in waiting for doc_id in document_ids}


def forget_unused(session: Session) -> int:
    """Drop vectors no chunk has any more (deleted documents, replaced versions)."""
    used = select(Chunk.content_hash)
    return affected_rows(
        session.execute(delete(PassageVector).where(PassageVector.content_hash.not_in(used)))
    )
