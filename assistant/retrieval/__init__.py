"""Hybrid retrieval: multilingual vectors + BM25, fused, filtered, with a calibrated relevance signal.

Public API: ``search`` (hybrid.py), ``HybridRetriever`` (a langchain BaseRetriever), ``is_relevant``,
``SearchFilters`` / ``SearchResult`` / ``SearchResponse``, ``RetrievalSettings`` / ``retrieval_settings_from``
and ``QueryTranslator`` for cross-lingual query expansion.
"""

from assistant.retrieval.hybrid import search
from assistant.retrieval.models import SearchFilters, SearchResponse, SearchResult
from assistant.retrieval.query_expansion import QueryTranslator
from assistant.retrieval.relevance import is_relevant
from assistant.retrieval.retriever import HybridRetriever
from assistant.retrieval.settings import RetrievalSettings, retrieval_settings_from

__all__ = [
    "HybridRetriever",
    "QueryTranslator",
    "RetrievalSettings",
    "SearchFilters",
    "SearchResponse",
    "SearchResult",
    "is_relevant",
    "retrieval_settings_from",
    "search",
]
