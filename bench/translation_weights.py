"""Would other fusion weights make query translation reach the cross-language targets?

    .venv/bin/python -m bench.translation_weights [use|e5]

Searches the translation sample of bench.retrieval (every 20th XQuAD question, zh->en and en->zh, with the
cached LLM translations; questions without one are skipped) once, then re-ranks the same candidates under a
grid of ``translation_weight`` x ``vector_weight`` (keyword weight = 1 - vector weight) and prints R@1/R@5.
No LLM and no network: vectors and translations come from bench.retrieval's cache.
"""

from __future__ import annotations

import sys

from assistant.retrieval.hybrid import rank_candidates
from assistant.retrieval.settings import RetrievalSettings
from assistant.settings import load_settings
from bench.retrieval import (
    DEFAULT_CACHE,
    CachedTranslations,
    Scores,
    gold_rank,
    make_embedder,
    xquad_runs,
)


def main() -> None:
    key = sys.argv[1] if len(sys.argv) > 1 else "use"
    translations = CachedTranslations(
        DEFAULT_CACHE / "translations.jsonl", load_settings(_env_file=None).llm.model, None
    )
    embeddings = make_embedder(key, DEFAULT_CACHE)
    runs, _, _ = xquad_runs(
        embeddings, RetrievalSettings(), translations, None, lambda m: None, sample_only=True
    )
    print(f"{embeddings.name}: R@1/R@5 of the translated search (shipped: translation 1.0, vector 0.2)")
    for tw in (0.5, 1.0, 1.5, 2.0):
        for vw in (0.2, 0.35, 0.5):
            conf = RetrievalSettings(translation_weight=tw, vector_weight=vw, keyword_weight=1 - vw)
            cells = []
            for direction in ("zh->en", "en->zh"):
                sel = [r for r in runs if r.direction == direction and r.translated is not None]
                scores = Scores()
                for r in sel:
                    assert r.translated is not None
                    scores.add(gold_rank([f.chunk_id for f in rank_candidates(r.translated, conf)], r.gold))
                cells.append(f"{direction} (n={len(sel)}) {scores.recall(1):.3f}/{scores.recall(5):.3f}")
            print(f"translation {tw:<4} vector {vw:<5}", "  ".join(cells))


if __name__ == "__main__":
    main()
