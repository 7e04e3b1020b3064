from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from api.container import Container
from assistant.retrieval.fusion import Fused
from assistant.retrieval.hybrid import search
from assistant.retrieval.rerank import EmbeddingReranker, make_reranker, rerank
from assistant.retrieval.settings import RerankMode, RetrievalSettings


class KeywordReranker:
    """Cosine 0.9 for passages holding ``word``, 0.1 for the rest: a reranker with a known opinion."""

    name = "fake-rerank"

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls: list[tuple[str, list[str]]] = []

    def similarities(self, query: str, passages: Sequence[str]) -> np.ndarray:
        self.calls.append((query, list(passages)))
        return np.array([0.9 if self.word in p else 0.1 for p in passages])


class CountingEmbedder:
    name = "counting"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.array([[1.0, float(len(t))] for t in texts], dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]


def fused(*ids_scores: tuple[str, float]) -> list[Fused]:
    return [Fused(chunk_id=c, score=s) for c, s in ids_scores]


def test_rerank_reorders_the_head_and_keeps_the_tail_below() -> None:
    items = fused(("a", 3.0), ("b", 2.9), ("c", 2.0), ("d", 1.0))
    texts = {"a": "plain", "b": "has KEY", "c": "plain", "d": "has KEY"}
    out = rerank(items, "q", texts, KeywordReranker("KEY"), depth=3, weight=1.0)
    assert [f.chunk_id for f in out] == ["b", "a", "c", "d"]  # d is past the depth: not re-read
    assert out[0].rerank_score == pytest.approx(0.9) and out[-1].rerank_score is None
    assert [f.score for f in out] == sorted((f.score for f in out), reverse=True)
    assert out[0].contributions["rerank:fake-rerank"] == pytest.approx(0.9)


def test_rerank_with_zero_weight_or_no_results_changes_nothing() -> None:
    items = fused(("a", 3.0), ("b", 2.9))
    assert rerank(items, "q", {"a": "x", "b": "KEY"}, KeywordReranker("KEY"), depth=5, weight=0) == items
    assert rerank([], "q", {}, KeywordReranker("KEY"), depth=5, weight=1.0) == []


def test_negative_cosines_never_push_a_reranked_passage_below_the_tail() -> None:
    class Negative(KeywordReranker):
        def similarities(self, query: str, passages: Sequence[str]) -> np.ndarray:
            return np.full(len(passages), -0.5)

    out = rerank(fused(("a", 3.0), ("b", 2.0)), "q", {"a": "x"}, Negative("KEY"), depth=1, weight=5.0)
    assert [f.chunk_id for f in out] == ["a", "b"] and out[0].score == 3.0


def test_embedding_reranker_embeds_each_passage_once_and_bounds_its_cache() -> None:
    embedder = CountingEmbedder()
    reranker = EmbeddingReranker(embedder, cache_size=2)
    first = reranker.similarities("q", ["aa", "bbbb"])
    again = reranker.similarities("q", ["bbbb", "aa"])
    assert embedder.embedded == ["aa", "bbbb"]  # the second search re-used both vectors
    assert again == pytest.approx(first[::-1])
    reranker.similarities("q", ["cccccc"])  # evicts the least recently used: "bbbb" ("aa" came last)
    reranker.similarities("q", ["aa"])
    reranker.similarities("q", ["bbbb"])
    assert embedder.embedded == ["aa", "bbbb", "cccccc", "bbbb"]
    assert reranker.similarities("q", []).shape == (0,)


def test_make_reranker_applies_to_the_use_index_only() -> None:
    assert make_reranker(RerankMode.none, "use-multilingual") is None
    assert make_reranker(RerankMode.e5, "multilingual-e5-small") is None  # e5 twice gains nothing
    assert make_reranker(RerankMode.e5, "fake-hashing") is None


def test_search_puts_the_passage_the_reranker_prefers_first(container: Container, project: str) -> None:
    query = "ERP 接口 MES"
    plain = search(container.vectors, container.sessions, project, query)
    last = plain.results[-1]
    word = "warehouse" if "warehouse" in last.text else last.text.split()[-1]
    reranker = KeywordReranker(word)
    reranked = search(container.vectors, container.sessions, project, query, reranker=reranker)
    top = reranked.results[0]
    assert word in top.text and top.rerank_score == pytest.approx(0.9)
    assert reranker.calls and reranker.calls[0][0] == query
    # The raw signals the relevance model reads are the fusion's, not the reranker's.
    assert {r.chunk_id: r.vector_score for r in reranked.results} == {
        r.chunk_id: r.vector_score for r in plain.results
    }
    assert all(r.rerank_score is None for r in plain.results)


def test_rerank_none_in_settings_turns_an_injected_reranker_off(container: Container, project: str) -> None:
    reranker = KeywordReranker("warehouse")
    off = RetrievalSettings(rerank=RerankMode.none)
    search(container.vectors, container.sessions, project, "ERP 接口", settings=off, reranker=reranker)
    search(
        container.vectors,
        container.sessions,
        project,
        "ERP 接口",
        settings=RetrievalSettings(rerank_depth=0),
        reranker=reranker,
    )
    assert reranker.calls == []


def test_the_test_container_has_no_reranker(container: Container) -> None:
    # The fake embedder is not USE, so the e5 model is never loaded by the fast tests.
    assert container.reranker is None
