"""Hybrid search: vector, word-BM25 and (for Chinese) character-pair-BM25 candidates for the query (and,
optionally, its translation), fused as settings say, returned as ranked passages with their raw signals.

Everything it needs is passed in (the vector index, a session factory, settings, an optional translator), so
the API, the CLI, the answer pipeline and tests call the same function with real parts or fakes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import transaction
from assistant.documents.models import Chunk, Document
from assistant.errors import InvalidInputError
from assistant.index import chunks as chunk_store
from assistant.language import question_language
from assistant.retrieval.fusion import Fused, Hit, RankedList, fuse_lists, keyword_coverage
from assistant.retrieval.models import SearchFilters, SearchResponse, SearchResult
from assistant.retrieval.query_expansion import Translator, other_language
from assistant.retrieval.relevance import is_relevant, relevance_model
from assistant.retrieval.rerank import Reranker, rerank
from assistant.retrieval.settings import RerankMode, RetrievalSettings, TranslateMode
from assistant.text import hanzi_bigrams, tokenize

if TYPE_CHECKING:
    from assistant.index.vector import VectorIndex

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000


@dataclass
class QueryForm:
    text: str
    language: str
    translated: bool
    terms: list[str]
    pairs: list[str] = field(default_factory=list)  # Chinese character pairs, for the second BM25


@dataclass
class Candidates:
    """What both indexes returned for every form of the query, before fusion."""

    forms: list[QueryForm]
    vector: list[list[tuple[str, float]]] = field(default_factory=list)  # per form: (chunk_id, cosine)
    keyword: list[list[tuple[str, float]]] = field(default_factory=list)  # per form: (chunk_id, bm25)
    bigram: list[list[tuple[str, float]]] = field(default_factory=list)  # per form: (chunk_id, pair bm25)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    embedder: str | None = None  # whose cosines these are: the fusion weights depend on it


def _vector_where(document_ids: list[str] | None) -> dict[str, object] | None:
    if document_ids is None:
        return None
    return {"document_id": {"$in": document_ids}}


def wants_translation(mode: TranslateMode, query_language: str, project_languages: set[str]) -> bool:
    """``auto`` translates only when the project holds text in the query's other language: a Chinese-only
    project never pays for a translation of a Chinese question."""
    if mode is TranslateMode.always:
        return True
    if mode is TranslateMode.never:
        return False
    return bool(project_languages & {other_language(query_language), "mixed"})


def gather(
    vectors: VectorIndex,
    sessions: sessionmaker[Session],
    project_id: str,
    query: str,
    *,
    settings: RetrievalSettings,
    filters: SearchFilters | None = None,
    translator: Translator | None = None,
) -> Candidates:
    query = _checked_query(query)
    language = question_language(query)
    forms = [_query_form(query, language, translated=False)]
    with transaction(sessions) as session:
        document_ids = _filtered_document_ids(session, project_id, filters)
        if document_ids is not None and not document_ids:
            return Candidates(forms=forms, embedder=vectors.embeddings.name)  # the filters leave nothing
        languages = _languages_for_translation(session, project_id, settings, translator)
    translation = _translated_form(query, language, languages, settings, translator)
    if translation is not None:
        forms.append(translation)

    out = Candidates(forms=forms, embedder=vectors.embeddings.name)
    out.vector = _vector_hits(vectors, project_id, forms, settings, document_ids)
    with transaction(sessions) as session:
        out.keyword, out.bigram = _keyword_hits(session, project_id, forms, settings, document_ids)
        # Chroma may still hold chunks of a replaced version for a moment; only active ones are shown.
        out.chunks = chunk_store.visible_chunks(
            session, chunk_ids=_hit_ids(out.vector, out.keyword, out.bigram)
        )
        out.documents = _documents_of(session, out.chunks)
    # Drop invisible vector hits before ranking, so they cannot take a rank from a visible chunk.
    out.vector = _visible_hits(out.vector, out.chunks)
    out.keyword = _visible_hits(out.keyword, out.chunks)
    out.bigram = _visible_hits(out.bigram, out.chunks)
    return out


HitLists = list[list[tuple[str, float]]]  # per query form: (chunk_id, score), best first


def _checked_query(query: str) -> str:
    """The query with its whitespace collapsed; an empty or over-long one is refused."""
    query = " ".join(query.split())
    if not query:
        raise InvalidInputError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInputError(
            f"the query has {len(query)} characters; at most {MAX_QUERY_CHARS} are searched"
        )
    return query


def _query_form(text: str, language: str, *, translated: bool) -> QueryForm:
    return QueryForm(text, language, translated, tokenize(text), hanzi_bigrams(text))


def _filtered_document_ids(
    session: Session, project_id: str, filters: SearchFilters | None
) -> list[str] | None:
    """The documents the active filters allow (possibly none); ``None`` when nothing is filtered."""
    if filters is None or not filters.active:
        return None
    return chunk_store.searchable_document_ids(
        session,
        project_id=project_id,
        doc_types=[t.value for t in filters.doc_types] if filters.doc_types is not None else None,
        file_names=filters.file_names,
        date_from=filters.date_from,
        date_to=filters.date_to,
        document_ids=filters.document_ids,
    )


def _languages_for_translation(
    session: Session, project_id: str, settings: RetrievalSettings, translator: Translator | None
) -> set[str]:
    """The project's languages, read only when ``auto`` translation has to decide on them."""
    if translator is not None and settings.translate is TranslateMode.auto:
        return chunk_store.indexed_languages(session, project_id=project_id)
    return set()


def _translated_form(
    query: str,
    language: str,
    project_languages: set[str],
    settings: RetrievalSettings,
    translator: Translator | None,
) -> QueryForm | None:
    if translator is None or not wants_translation(settings.translate, language, project_languages):
        return None
    target = other_language(language)
    translation = translator.translate(query, target)
    return _query_form(translation, target, translated=True) if translation else None


def _vector_hits(
    vectors: VectorIndex,
    project_id: str,
    forms: list[QueryForm],
    settings: RetrievalSettings,
    document_ids: list[str] | None,
) -> HitLists:
    """Each form's nearest chunks by cosine; every form is embedded before the index is asked."""
    where = _vector_where(document_ids)
    query_vectors = [np.asarray(vectors.embeddings.embed_query(f.text), dtype=np.float32) for f in forms]
    out: HitLists = []
    for vec in query_vectors:
        hits = vectors.query(project_id, vec, k=settings.candidates, where=where)
        out.append([(h.chunk_id, h.similarity) for h in hits])
    return out


def _keyword_hits(
    session: Session,
    project_id: str,
    forms: list[QueryForm],
    settings: RetrievalSettings,
    document_ids: list[str] | None,
) -> tuple[HitLists, HitLists]:
    """Each form's word-BM25 hits and its character-pair-BM25 hits (none for a form without Chinese pairs, or
    with the pair ranking weighted out)."""
    keyword: HitLists = []
    bigram: HitLists = []
    for form in forms:
        hits = chunk_store.keyword_search(
            session,
            project_id=project_id,
            query=form.text,
            k=settings.candidates,
            document_ids=document_ids,
        )
        keyword.append([(h.chunk_id, h.score) for h in hits])
        pair_hits = (
            chunk_store.bigram_search(
                session,
                project_id=project_id,
                query=form.text,
                k=settings.candidates,
                document_ids=document_ids,
            )
            if form.pairs and settings.bigram_weight > 0
            else []
        )
        bigram.append([(h.chunk_id, h.score) for h in pair_hits])
    return keyword, bigram


def _hit_ids(*lists: HitLists) -> list[str]:
    """Every chunk id hit, once, in order of first appearance."""
    return list(dict.fromkeys(cid for per_form in lists for hits in per_form for cid, _ in hits))


def _documents_of(session: Session, chunks: dict[str, Chunk]) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    for chunk in chunks.values():
        if chunk.document_id not in documents:
            doc = session.get(Document, chunk.document_id)
            if doc is not None:
                documents[doc.id] = doc
    return documents


def _visible_hits(lists: HitLists, visible: dict[str, Chunk]) -> HitLists:
    return [[(cid, s) for cid, s in hits if cid in visible] for hits in lists]


def ranked_lists(candidates: Candidates, settings: RetrievalSettings) -> list[RankedList]:
    lists: list[RankedList] = []
    vector_weight, keyword_weight = settings.fusion_weights(candidates.embedder)
    for i, form in enumerate(candidates.forms):
        form_weight = settings.translation_weight if form.translated else 1.0
        tag = "translated" if form.translated else "original"
        if i < len(candidates.vector):
            lists.append(
                RankedList(
                    "vector",
                    [Hit(cid, s) for cid, s in candidates.vector[i]],
                    vector_weight * form_weight,
                    f"vector:{tag}",
                )
            )
        if i < len(candidates.keyword):
            hits = []
            for cid, s in candidates.keyword[i]:
                cov = keyword_coverage(form.terms, candidates.chunks[cid].tokens)
                hits.append(Hit(cid, s, gain=cov**settings.coverage_power, coverage=cov))
            lists.append(RankedList("keyword", hits, keyword_weight * form_weight, f"keyword:{tag}"))
        if i < len(candidates.bigram) and candidates.bigram[i]:
            pair_hits = [
                Hit(cid, s, gain=keyword_coverage(form.pairs, candidates.chunks[cid].bigrams))
                for cid, s in candidates.bigram[i]
            ]
            lists.append(
                RankedList("bigram", pair_hits, settings.bigram_weight * form_weight, f"bigram:{tag}")
            )
    return lists


def cross_lingual(document_language: str | None, searched: set[str]) -> bool:
    """Whether a passage is in a language none of the searched query forms was in ('mixed' and unknown
    documents are not counted as foreign)."""
    return document_language in ("zh", "en") and document_language not in searched


def rank_candidates(
    candidates: Candidates, settings: RetrievalSettings, reranker: Reranker | None = None
) -> list[Fused]:
    """Fuse the rankings; with a reranker, its cosines then re-order the top ``rerank_depth`` passages."""
    fused = fuse_lists(ranked_lists(candidates, settings), method=settings.fusion, rrf_k=settings.rrf_k)
    if reranker is None or not fused or settings.rerank is RerankMode.none or settings.rerank_depth == 0:
        return fused
    texts = {f.chunk_id: candidates.chunks[f.chunk_id].text for f in fused[: settings.rerank_depth]}
    return rerank(
        fused,
        candidates.forms[0].text,
        texts,
        reranker,
        depth=settings.rerank_depth,
        weight=settings.rerank_weight,
    )


def to_results(
    fused: list[Fused], candidates: Candidates, *, top_k: int, embedder: str, settings: RetrievalSettings
) -> list[SearchResult]:
    model = relevance_model(embedder, min_cosine=settings.min_cosine)
    searched = {f.language for f in candidates.forms}
    results = []
    for item in fused[:top_k]:
        chunk = candidates.chunks[item.chunk_id]
        doc = candidates.documents.get(chunk.document_id)
        results.append(
            SearchResult(
                chunk_id=chunk.id,
                document_id=chunk.document_id,
                file_name=doc.file_name if doc else "",
                page=chunk.page,
                section=chunk.section,
                text=chunk.text,
                position=chunk.position,
                score=item.score,
                vector_score=item.vector_score,
                keyword_score=item.keyword_score,
                keyword_coverage=item.keyword_coverage,
                rerank_score=item.rerank_score,
                relevance=model.probability(
                    item.vector_score,
                    item.keyword_coverage,
                    cross_lingual(doc.language if doc else None, searched),
                ),
                doc_type=doc.doc_type if doc else None,
                doc_date=doc.doc_date if doc else None,
            )
        )
    return results


def search(
    vectors: VectorIndex,
    sessions: sessionmaker[Session],
    project_id: str,
    query: str,
    *,
    top_k: int | None = None,
    filters: SearchFilters | None = None,
    settings: RetrievalSettings | None = None,
    translator: Translator | None = None,
    translate: TranslateMode | None = None,
    reranker: Reranker | None = None,
) -> SearchResponse:
    """Ranked passages of one project for ``query``. ``settings``: the retrieval settings (default: the defaults);
    ``translator`` enables cross-lingual query expansion as ``translate`` (default: ``settings.translate``)
    says; ``reranker`` re-orders the top passages (see rerank.py)."""
    conf = settings or RetrievalSettings()
    if translate is not None:
        conf = conf.model_copy(update={"translate": translate})
    k = top_k or conf.top_k
    gated = conf.translate is TranslateMode.auto and conf.translate_when_below <= 1 and translator is not None
    candidates = gather(
        vectors,
        sessions,
        project_id,
        query,
        settings=conf,
        filters=filters,
        translator=None if gated else translator,
    )
    fused = rank_candidates(candidates, conf, reranker)
    results = to_results(fused, candidates, top_k=k, embedder=vectors.embeddings.name, settings=conf)
    if gated and not is_relevant(results, threshold=conf.translate_when_below):
        # Unsure without a translation: search again with one (when the project's languages call for it).
        # The second gather repeats the cheap part; the translation is what costs (an LLM call, ~4 s).
        candidates = gather(
            vectors, sessions, project_id, query, settings=conf, filters=filters, translator=translator
        )
        fused = rank_candidates(candidates, conf, reranker)
        results = to_results(fused, candidates, top_k=k, embedder=vectors.embeddings.name, settings=conf)
    translation = next((f.text for f in candidates.forms if f.translated), None)
    return SearchResponse(
        results=results,
        query_translation=translation,
        relevant=is_relevant(results, threshold=conf.relevance_threshold),
    )
