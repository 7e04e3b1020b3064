"""All SQL for chunks and the keyword (BM25) index over them.

A chunk is visible only while its version is its document's ``active_version``, so swapping a document's
chunks is one commit of the document row: readers see the old set or the new one, never both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, func, select, text
from sqlalchemy.orm import Session

from assistant.documents.models import Chunk, Document, DocumentStatus
from assistant.text import hanzi_bigrams, tokenize

_MAX_QUERY_TERMS = 64


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: str
    score: float  # BM25, higher is better


def add_chunks(session: Session, *, chunks: list[Chunk]) -> None:
    for c in chunks:
        # Derived here, so both keyword rankings always index the same text.
        c.bigrams = " ".join(hanzi_bigrams(c.text))
    session.add_all(chunks)
    session.flush()
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        session.execute(
            text(
                "INSERT INTO chunk_fts (tokens, chunk_id, project_id) VALUES (:tokens, :chunk_id, :project_id)"
            ),
            [{"tokens": c.tokens, "chunk_id": c.id, "project_id": c.project_id} for c in chunks],
        )
        with_pairs = [c for c in chunks if c.bigrams]
        if with_pairs:
            session.execute(
                text(
                    "INSERT INTO chunk_bigram_fts (bigrams, chunk_id, project_id) "
                    "VALUES (:bigrams, :chunk_id, :project_id)"
                ),
                [{"bigrams": c.bigrams, "chunk_id": c.id, "project_id": c.project_id} for c in with_pairs],
            )


def _of_document(document_id: str, version: str | None, keep_version: str | None) -> ColumnElement[bool]:
    """A document's chunks: all of them, one version, or all but ``keep_version``."""
    cond = [Chunk.document_id == document_id]
    if version is not None:
        cond.append(Chunk.version == version)
    if keep_version is not None:
        cond.append(Chunk.version != keep_version)
    return and_(*cond)


def delete_chunks(
    session: Session, *, document_id: str, version: str | None = None, keep_version: str | None = None
) -> int:
    """Delete a document's chunks: all of them, one version, or all but ``keep_version``."""
    ids = list(session.scalars(select(Chunk.id).where(_of_document(document_id, version, keep_version))))
    if not ids:
        return 0
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        for i in range(0, len(ids), 500):
            for table in ("chunk_fts", "chunk_bigram_fts"):
                session.execute(
                    text(f"DELETE FROM {table} WHERE chunk_id IN (SELECT value FROM json_each(:ids))"),
                    {"ids": _json(ids[i : i + 500])},
                )
    session.execute(delete(Chunk).where(Chunk.id.in_(ids)))
    return len(ids)


def count_chunks(
    session: Session, *, document_id: str, version: str | None = None, keep_version: str | None = None
) -> int:
    """How many of a document's chunks there are: all, of one version, or of all but ``keep_version``."""
    query = select(func.count()).select_from(Chunk).where(_of_document(document_id, version, keep_version))
    return int(session.scalar(query) or 0)


def _json(values: list[str]) -> str:
    import json

    return json.dumps(values)


def visible_chunks(session: Session, *, chunk_ids: list[str]) -> dict[str, Chunk]:
    """The chunks among ``chunk_ids`` that belong to the active version of an indexed document."""
    if not chunk_ids:
        return {}
    rows = session.scalars(
        select(Chunk)
        .join(Document, Document.id == Chunk.document_id)
        .where(
            Chunk.id.in_(chunk_ids),
            Chunk.version == Document.active_version,
            Document.status == DocumentStatus.indexed.value,
        )
    )
    return {c.id: c for c in rows}


def document_chunks(session: Session, *, document_id: str) -> list[Chunk]:
    return list(
        session.scalars(
            select(Chunk)
            .join(Document, Document.id == Chunk.document_id)
            .where(Chunk.document_id == document_id, Chunk.version == Document.active_version)
            .order_by(Chunk.position)
        )
    )


def keyword_search(
    session: Session, *, project_id: str, query: str, k: int, document_ids: list[str] | None = None
) -> list[KeywordHit]:
    """BM25 over the chunks' words (jieba words for Chinese, lower-cased words otherwise)."""
    terms = list(dict.fromkeys(tokenize(query)))[:_MAX_QUERY_TERMS]
    return _bm25(session, _WORDS, project_id=project_id, terms=terms, k=k, document_ids=document_ids)


def bigram_search(
    session: Session, *, project_id: str, query: str, k: int, document_ids: list[str] | None = None
) -> list[KeywordHit]:
    """BM25 over the chunks' Chinese character pairs; nothing for a query without Chinese."""
    terms = list(dict.fromkeys(hanzi_bigrams(query)))[:_MAX_QUERY_TERMS]
    return _bm25(session, _PAIRS, project_id=project_id, terms=terms, k=k, document_ids=document_ids)


@dataclass(frozen=True)
class _KeywordIndex:
    fts_table: str  # SQLite FTS5 table
    column: str  # its indexed column, and the chunks column PostgreSQL's GIN index covers


_WORDS = _KeywordIndex("chunk_fts", "tokens")
_PAIRS = _KeywordIndex("chunk_bigram_fts", "bigrams")


def _bm25(
    session: Session,
    index: _KeywordIndex,
    *,
    project_id: str,
    terms: list[str],
    k: int,
    document_ids: list[str] | None,
) -> list[KeywordHit]:
    if not terms:
        return []
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    doc_filter = ""
    params: dict[str, object] = {"project_id": project_id, "k": k}
    if document_ids is not None:
        if not document_ids:
            return []
        doc_filter = "AND c.document_id IN (SELECT value FROM json_each(:doc_ids))"
        params["doc_ids"] = _json(document_ids)
    fts, col = index.fts_table, index.column
    if dialect == "sqlite":
        params["match"] = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = f"""
            SELECT c.id, -bm25({fts}) AS score
            FROM {fts}
            JOIN chunks c ON c.id = {fts}.chunk_id
            JOIN documents d ON d.id = c.document_id
            WHERE {fts} MATCH :match AND {fts}.project_id = :project_id
              AND c.version = d.active_version AND d.status = 'indexed' {doc_filter}
            ORDER BY bm25({fts}) LIMIT :k"""
    else:
        params["match"] = " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        if document_ids is not None:
            doc_filter = "AND c.document_id = ANY(:doc_id_list)"
            params["doc_id_list"] = document_ids
        sql = f"""
            SELECT c.id, ts_rank_cd(to_tsvector('simple', c.{col}), to_tsquery('simple', :match)) AS score
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.project_id = :project_id AND to_tsvector('simple', c.{col}) @@ to_tsquery('simple', :match)
              AND c.version = d.active_version AND d.status = 'indexed' {doc_filter}
            ORDER BY score DESC LIMIT :k"""
    return [KeywordHit(row[0], float(row[1])) for row in session.execute(text(sql), params)]


def searchable_document_ids(
    session: Session,
    *,
    project_id: str,
    doc_types: list[str] | None = None,
    file_names: list[str] | None = None,
    date_from: object | None = None,
    date_to: object | None = None,
    document_ids: list[str] | None = None,
) -> list[str]:
    """Ids of the project's indexed documents that pass every given filter (search narrows both indexes to
    them). A date bound leaves out undated documents: nobody can say they fall in the range."""
    query = select(Document.id).where(
        Document.project_id == project_id, Document.status == DocumentStatus.indexed.value
    )
    if doc_types is not None:
        query = query.where(Document.doc_type.in_(doc_types))
    if file_names is not None:
        query = query.where(Document.file_name.in_(file_names))
    if document_ids is not None:
        query = query.where(Document.id.in_(document_ids))
    if date_from is not None:
        query = query.where(Document.doc_date.is_not(None), Document.doc_date >= date_from)
    if date_to is not None:
        query = query.where(Document.doc_date.is_not(None), Document.doc_date <= date_to)
    return list(session.scalars(query))


def indexed_languages(session: Session, *, project_id: str) -> set[str]:
    """The languages ('zh', 'en', 'mixed', 'unknown') of the project's indexed documents."""
    rows = session.scalars(
        select(Document.language)
        .where(Document.project_id == project_id, Document.status == DocumentStatus.indexed.value)
        .distinct()
    )
    return {lang or "unknown" for lang in rows}
