"""Did the search find anything relevant? A calibrated signal the answer pipeline uses to refuse.

Each result gets ``relevance`` = P(relevant | cosine, keyword coverage) from a logistic model:

    p = sigmoid(a * (cosine - c0) + b * coverage + bias)

Cosine scales differ per embedder (e5 puts almost everything between 0.7 and 0.9, USE spreads wider), so
``a`` and ``c0`` are per embedder; keyword coverage (share of the query's words in the passage) means the same
whatever the embedder. The constants below were fitted on XQuAD (see docs/bench_retrieval.md and
``bench/retrieval.py --calibrate``): for every question, the top result when its gold paragraph is in the index
(answerable) against the top result when the gold paragraph was left out (not answerable; the other
paragraphs of the same article stay, so these are hard near-misses).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.retrieval.models import SearchResult


@dataclass(frozen=True)
class RelevanceModel:
    cosine_center: float  # c0
    cosine_slope: float  # a
    coverage_weight: float  # b
    bias: float

    def probability(self, cosine: float | None, coverage: float | None) -> float:
        z = self.bias + self.coverage_weight * (coverage or 0.0)
        if cosine is not None:
            z += self.cosine_slope * (cosine - self.cosine_center)
        else:
            # Not among the vector candidates: semantically far, count it as the weakest cosine seen.
            z -= self.cosine_slope * 0.1
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


# Fitted on XQuAD (both languages, all four directions pooled); see the module docstring.
CALIBRATED: dict[str, RelevanceModel] = {
    "use-multilingual": RelevanceModel(cosine_center=0.45, cosine_slope=20.0, coverage_weight=3.0, bias=-1.0),
    "multilingual-e5-small": RelevanceModel(
        cosine_center=0.85, cosine_slope=60.0, coverage_weight=3.0, bias=-1.0
    ),
}
# Embedders never calibrated here (an OpenAI-compatible server, the test fake): trust the keyword side and
# treat cosine like USE's, the wider-spread and so more conservative scale.
FALLBACK = CALIBRATED["use-multilingual"]


def relevance_model(embedder: str, *, min_cosine: float | None = None) -> RelevanceModel:
    model = CALIBRATED.get(embedder, FALLBACK)
    if min_cosine is not None:
        model = RelevanceModel(min_cosine, model.cosine_slope, model.coverage_weight, model.bias)
    return model


def is_relevant(results: Sequence[SearchResult], threshold: float = 0.5) -> bool:
    """True when the best result is likely relevant; the answer pipeline refuses to answer otherwise."""
    return bool(results) and max(r.relevance for r in results) >= threshold
