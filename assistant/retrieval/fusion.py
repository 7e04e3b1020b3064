"""Fusion of the vector and keyword rankings: convex (score-based, the default) or reciprocal-rank.

Plain RRF (score = sum of 1 / (k + rank)) treats every list as equally trustworthy. That is wrong for a
keyword list whose hits share one stray word with the query, which is all BM25 can find when a Chinese
question meets English passages: with k = 60 two neighbouring vector ranks differ by ~0.0003, so even a
weak keyword contribution reorders them and cross-lingual search collapses. Here each hit carries a gain in
[0, 1] (for keyword hits the share of the query's words it contains), so a keyword list only moves what it
actually matched well.

Convex fusion goes further and keeps how far apart the scores are, which ranks cannot: per list, cosines
become z-scores over the candidates (so the scale of the embedder does not matter) and BM25 scores become
coverage * score / best score; a chunk's score is the weighted sum. On XQuAD and QMSum it beat the best
reciprocal-rank variant in every direction (docs/bench_retrieval.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    raw: float  # the index's own score: cosine similarity or BM25
    gain: float = 1.0  # how much this hit's rank may count, in [0, 1]
    coverage: float | None = None  # keyword hits: share of the query's words found in the chunk


@dataclass(frozen=True)
class RankedList:
    """One index's answer to one form of the query (original or translated), best first."""

    kind: str  # "vector", "keyword" (BM25 over words) or "bigram" (BM25 over Chinese character pairs)
    hits: Sequence[Hit]
    weight: float = 1.0
    label: str = ""


@dataclass
class Fused:
    chunk_id: str
    score: float = 0.0
    vector_score: float | None = None  # best cosine over the query forms
    keyword_score: float | None = None  # best BM25 over the query forms
    keyword_coverage: float | None = None  # best coverage over the query forms
    contributions: dict[str, float] = field(default_factory=dict)
    rerank_score: float | None = None  # the reranker's cosine, when the result was reranked


class FusionMethod(StrEnum):
    convex = "convex"
    rrf = "rrf"


def _best(current: float | None, value: float) -> float:
    return value if current is None or value > current else current


def fuse(lists: Sequence[RankedList], *, rrf_k: float = 60.0) -> list[Fused]:
    """Weighted reciprocal rank fusion; ties keep the order in which chunks were first seen, so the result is
    deterministic for the same inputs."""
    fused: dict[str, Fused] = {}
    for ranked in lists:
        if ranked.weight <= 0:
            continue
        for rank, hit in enumerate(ranked.hits, start=1):
            item = fused.get(hit.chunk_id)
            if item is None:
                item = fused[hit.chunk_id] = Fused(hit.chunk_id)
            contribution = ranked.weight * max(0.0, min(1.0, hit.gain)) / (rrf_k + rank)
            item.score += contribution
            if ranked.label:
                item.contributions[ranked.label] = item.contributions.get(ranked.label, 0.0) + contribution
            _record(item, ranked.kind, hit)
    order = {cid: i for i, cid in enumerate(fused)}
    return sorted(fused.values(), key=lambda f: (-f.score, order[f.chunk_id]))


def _record(item: Fused, kind: str, hit: Hit) -> None:
    """Keep the raw signals shown with a result. Character-pair BM25 only helps ranking: its scale is not
    the word BM25's, and the relevance model was calibrated on word coverage."""
    if kind == "vector":
        item.vector_score = _best(item.vector_score, hit.raw)
    elif kind == "keyword":
        item.keyword_score = _best(item.keyword_score, hit.raw)
        if hit.coverage is not None:
            item.keyword_coverage = _best(item.keyword_coverage, hit.coverage)


# A z-score says "this many spreads above the other candidates"; divided by this it is ~1 for a clear winner,
# the same order as a keyword score normalised by the best one.
_Z_SCALE = 3.0


def _normalised(ranked: RankedList) -> list[float]:
    raw = np.array([h.raw for h in ranked.hits], dtype=np.float64)
    if ranked.kind == "vector":
        std = float(raw.std())
        z = (raw - raw.mean()) / std if std > 1e-9 else np.zeros_like(raw)
        return (np.clip(z, -5.0, 5.0) / _Z_SCALE).tolist()
    best = float(raw.max())
    gains = np.array([max(0.0, min(1.0, h.gain)) for h in ranked.hits])
    return (gains * (raw / best if best > 0 else np.zeros_like(raw))).tolist()


def fuse_convex(lists: Sequence[RankedList]) -> list[Fused]:
    """Weighted sum of per-list normalised scores. A chunk missing from a vector list counts as that list's
    lowest candidate (it is at most that similar); missing from a keyword list, as 0 (it matched nothing)."""
    fused: dict[str, Fused] = {}
    lists = [r for r in lists if r.weight > 0 and r.hits]
    for ranked in lists:
        for hit in ranked.hits:
            if hit.chunk_id not in fused:
                fused[hit.chunk_id] = Fused(hit.chunk_id)
    for ranked in lists:
        values = _normalised(ranked)
        floor = min(values) if ranked.kind == "vector" else 0.0
        seen = set()
        for hit, value in zip(ranked.hits, values, strict=True):
            item = fused[hit.chunk_id]
            seen.add(hit.chunk_id)
            contribution = ranked.weight * value
            item.score += contribution
            if ranked.label:
                item.contributions[ranked.label] = item.contributions.get(ranked.label, 0.0) + contribution
            _record(item, ranked.kind, hit)
        if floor:
            for cid, item in fused.items():
                if cid not in seen:
                    item.score += ranked.weight * floor
    order = {cid: i for i, cid in enumerate(fused)}
    return sorted(fused.values(), key=lambda f: (-f.score, order[f.chunk_id]))


def fuse_lists(lists: Sequence[RankedList], *, method: FusionMethod, rrf_k: float = 60.0) -> list[Fused]:
    return fuse_convex(lists) if method is FusionMethod.convex else fuse(lists, rrf_k=rrf_k)


def keyword_coverage(query_terms: Sequence[str], chunk_tokens: str | Sequence[str]) -> float:
    """Share of the query's distinct terms present in the chunk's tokens (0 when the query has none)."""
    terms = set(query_terms)
    if not terms:
        return 0.0
    tokens = set(chunk_tokens.split()) if isinstance(chunk_tokens, str) else set(chunk_tokens)
    return len(terms & tokens) / len(terms)
