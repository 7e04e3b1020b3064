"""Finding <-> existing risk: cosine similarity of the risk statements, plus the category.

Same category: similarity >= ``threshold``. Different category: only when nearly the same statement
(>= ``cross_threshold``), because small models often file one risk under two neighbouring categories.
Both cut-offs were measured (bench/risk_scan.py calibrate), not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.providers.embeddings import NamedEmbeddings


def risk_statement(title: str | None, event: str | None = None, cause: str | None = None) -> str:
    """What a risk is about, in the words that best separate one risk from another."""
    parts = [p.strip() for p in (title, event, cause) if p and p.strip()]
    return ". ".join(dict.fromkeys(parts))


@dataclass(frozen=True)
class Match:
    key: int
    similarity: float
    same_category: bool


@dataclass
class RiskMatcher:
    embeddings: NamedEmbeddings
    threshold: float
    cross_threshold: float
    _keys: list[int] = field(default_factory=list)
    _categories: list[str] = field(default_factory=list)
    _vectors: list[np.ndarray] = field(default_factory=list)
    _cache: dict[str, np.ndarray] = field(default_factory=dict)

    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self.embeddings.embed_array(missing)
            for text, vector in zip(missing, vectors, strict=True):
                norm = float(np.linalg.norm(vector))
                self._cache[text] = vector / norm if norm else vector
        return [self._cache[t] for t in texts]

    def load(self, items: list[tuple[int, str, str]]) -> None:
        """(key, category, statement) of every risk the project has, embedded in one batch."""
        self._keys, self._categories, self._vectors = [], [], []
        vectors = self._embed([statement for _, _, statement in items])
        for (key, category, _), vector in zip(items, vectors, strict=True):
            self.add(key, category, vector=vector)

    def add(self, key: int, category: str, statement: str = "", *, vector: np.ndarray | None = None) -> None:
        self._keys.append(key)
        self._categories.append(category)
        self._vectors.append(vector if vector is not None else self._embed([statement])[0])

    def similarities(self, statement: str) -> np.ndarray:
        if not self._vectors:
            return np.zeros(0, dtype=np.float32)
        query = self._embed([statement])[0]
        return np.vstack(self._vectors) @ query

    def match(self, category: str, statement: str) -> Match | None:
        sims = self.similarities(statement)
        best: Match | None = None
        for key, cat, sim in zip(self._keys, self._categories, sims, strict=True):
            same = cat == category
            if sim < (self.threshold if same else self.cross_threshold):
                continue
            if best is None or sim > best.similarity:
                best = Match(key, float(sim), same)
        return best
