"""Retrieval knobs (``settings.retrieval``, variables ASSISTANT_RETRIEVAL_*), with their measured defaults."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from assistant.config import SettingsGroup
from assistant.retrieval.fusion import FusionMethod


class TranslateMode(StrEnum):
    never = "never"
    auto = "auto"  # only when the project holds documents in the other language (or mixed ones)
    always = "always"


class RerankMode(StrEnum):
    none = "none"
    e5 = "e5"  # multilingual-e5-small re-reads the top passages of a USE index


class RetrievalSettings(SettingsGroup):
    env_prefix = "RETRIEVAL_"

    top_k: int = Field(8, ge=1, le=100, description="Passages returned when the caller does not say.")
    candidates: int = Field(
        50, ge=5, le=500, description="Candidates each index returns before fusion (per query form)."
    )
    fusion: FusionMethod = Field(
        FusionMethod.convex,
        description="convex: weighted sum of z-scored cosines and coverage-weighted BM25 (measured best); "
        "rrf: confidence-weighted reciprocal rank fusion (use equal weights with it).",
    )
    rrf_k: float = Field(
        60.0, gt=0, description="Reciprocal-rank-fusion constant: score = w / (rrf_k + rank)."
    )
    vector_weight: float | None = Field(
        None,
        ge=0,
        description="Weight of the vector side in the fusion; default: the embedder's measured one (USE 0.2, "
        "e5 0.3; 0.2 for others).",
    )
    keyword_weight: float | None = Field(
        None,
        ge=0,
        description="Weight of the word-BM25 side in the fusion; default: the embedder's (USE 0.8, e5 0.7; "
        "0.8 for others).",
    )
    bigram_weight: float = Field(
        0.4,
        ge=0,
        description="Weight of a second BM25 ranking over Chinese character pairs (Chinese queries only; 0 "
        "turns it off): it matches words jieba cut differently in the query and the passage.",
    )
    coverage_power: float = Field(
        1.0,
        ge=0,
        description="A keyword hit counts in proportion to coverage^power, coverage being the share of "
        "the query's words it contains: a hit on one stray word (a number, an acronym) counts little.",
    )
    translate: TranslateMode = Field(
        TranslateMode.never,
        description="Also search the query translated by the LLM into the other language: auto = only when "
        "the project holds documents in the other language or mixed ones.",
    )
    ask_translate: TranslateMode = Field(
        TranslateMode.auto,
        description="The same for the passages of /ask and five-why, which call the LLM anyway: a translation "
        "costs a few seconds there and is what finds passages in the question's other language.",
    )
    translate_when_below: float = Field(
        0.9,
        ge=0,
        le=1.01,
        description="auto translates only when the search without a translation is unsure: its best "
        "relevance is below this (above 1: whenever the project's languages call for it). A sure search "
        "spends no LLM call on a translation (docs/performance.md: the translation gate).",
    )
    translation_weight: float = Field(
        1.0, ge=0, description="Weight of the rankings of the translated query, relative to the original's."
    )
    rerank: RerankMode = Field(
        RerankMode.e5,
        description="e5: multilingual-e5-small re-reads the top passages of a search over the USE index and "
        "adds its cosine to their score (R@1 up in every direction, most across languages; about 0.3-0.8 s "
        "per passage not seen before, cached after). Applies to the local USE embedder only. none: off.",
    )
    rerank_depth: int = Field(
        10, ge=0, le=50, description="How many of the top fused passages the rerank step re-reads (0: off)."
    )
    rerank_weight: float = Field(
        8.0, ge=0, description="Weight of the rerank model's cosine added to a reranked passage's score."
    )
    relevance_threshold: float = Field(
        0.5, ge=0, le=1, description="is_relevant() is true when the best result's relevance reaches this."
    )
    min_cosine: float | None = Field(
        None,
        ge=-1,
        le=1,
        description="Cosine at which a same-language passage that shares no query word is "
        "judged 50 % relevant; default: the model calibrated for the embedder in use.",
    )

    def fusion_weights(self, embedder: str | None) -> tuple[float, float]:
        """(vector, keyword) weights: the ones set, else the embedder's measured defaults."""
        vector, keyword = EMBEDDER_FUSION_WEIGHTS.get(embedder or "", DEFAULT_FUSION_WEIGHTS)
        return (
            self.vector_weight if self.vector_weight is not None else vector,
            self.keyword_weight if self.keyword_weight is not None else keyword,
        )


# (vector, keyword) per embedder, chosen on XQuAD by bench/retrieval.py (docs/performance.md). e5 ranks
# passages better than USE does, so its cosines get more say; USE's weights serve embedders never measured.
EMBEDDER_FUSION_WEIGHTS: dict[str, tuple[float, float]] = {
    "use-multilingual": (0.2, 0.8),
    "multilingual-e5-small": (0.3, 0.7),
}
DEFAULT_FUSION_WEIGHTS = EMBEDDER_FUSION_WEIGHTS["use-multilingual"]
