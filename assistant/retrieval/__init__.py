"""Hybrid retrieval: multilingual vectors + BM25, fused, filtered, with a calibrated relevance signal.

Where things are: ``search`` (hybrid.py), ``HybridRetriever`` (retriever.py, a langchain BaseRetriever),
``is_relevant`` (relevance.py), ``SearchFilters`` / ``SearchResult`` / ``SearchResponse`` (models.py),
``RetrievalSettings`` (settings.py), ``QueryTranslator`` (query_expansion.py) for cross-lingual expansion and
the rerank step (rerank.py). The package imports none of them itself, so that reading the settings does not
load the pipeline.
"""
