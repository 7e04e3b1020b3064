"""FR/NFR from the local LLM's hidden states (PROMISE NFR, leave-one-project-out). A yardstick, not shipped.

    .venv/bin/python bench/requirements_llm_embed.py          # ~10-15 min the first time (625 statements)

Each statement is read once by the packaged Qwen2.5-Coder-1.5B through llama.cpp's embedding mode (hidden
states averaged over the tokens); vectors are cached in the bench cache. Two uses are measured:
- prototypes: the classifier's own class descriptions (classify.CLASS_DESCRIPTIONS) embedded the same way and
  compared with each statement, decision constants chosen per fold on the other 14 projects, as
  bench/requirements.py does for USE: nothing learned from PROMISE's labels beyond four constants;
- trained: a logistic regression over the vectors fitted on 14 projects and tested on the 15th, for a range
  of L2 strengths. This learns from the evaluation set's labels (CC BY-SA), which the product does not do.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from requirements import kind_metrics, load_promise, lopo  # noqa: E402

from assistant.requirements.classify import (  # noqa: E402
    CLASS_DESCRIPTIONS,
    cue_scores,
    prototype_similarities,
)
from assistant.settings import load_settings  # noqa: E402

CACHE = Path.home() / ".cache" / "requirements-assistant" / "bench" / "llm_embed_promise.npz"


def embed_all(texts: list[str]) -> np.ndarray:
    import llama_cpp

    settings = load_settings(_env_file=None)
    path = settings.llm.model_path or settings.cache_dir / "models" / f"{settings.llm.model}.gguf"
    llm = llama_cpp.Llama(
        str(path),
        embedding=True,
        n_ctx=1024,
        n_threads=settings.llm.threads,
        pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
        verbose=False,
    )
    started = time.perf_counter()
    out = [llm.embed(t) for t in texts]
    print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return np.asarray(out, dtype=np.float32)


def cached_vectors(texts: list[str], key: str) -> np.ndarray:
    store = dict(np.load(CACHE)) if CACHE.exists() else {}
    if key not in store or len(store[key]) != len(texts):
        store[key] = embed_all(texts)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        np.savez(CACHE, **store)
    return store[key]


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def trained(v: np.ndarray, y: np.ndarray, project: np.ndarray, l2: float) -> np.ndarray:
    pred = np.zeros(len(v), dtype=bool)
    for held in np.unique(project):
        tr = project != held
        # Standardised with the training projects' statistics only.
        x = (v - v[tr].mean(0)) / (v[tr].std(0) + 1e-6)
        x = np.hstack([x, np.ones((len(x), 1))])
        w = np.zeros(x.shape[1])
        for _ in range(25):  # Newton steps on the L2-regularised log-loss
            p = 1 / (1 + np.exp(-(x[tr] @ w)))
            hess = (x[tr] * (p * (1 - p))[:, None]).T @ x[tr] + l2 * np.eye(len(w))
            w -= np.linalg.solve(hess, x[tr].T @ (p - y[tr]) + l2 * np.r_[w[:-1], 0.0])
        pred[~tr] = x[~tr] @ w > 0
    return pred


def main() -> None:
    rows = load_promise()
    texts = [t for _, t, _ in rows]
    gold = [c for _, _, c in rows]
    vectors = cached_vectors(texts, "statements")
    descriptions = [t for ts in CLASS_DESCRIPTIONS.values() for t in ts]
    cached = {tuple(texts): vectors, tuple(descriptions): cached_vectors(descriptions, "descriptions")}
    # The classifier's own prototype code, fed the cached LLM vectors.
    sims = prototype_similarities(texts, lambda batch: cached[tuple(batch)])
    pred, chosen = lopo(rows, [cue_scores(t) for t in texts], sims)
    m = kind_metrics(gold, pred)
    print(
        f"rules + LLM prototypes, constants per fold: accuracy {m['accuracy']:.3f} NFR F1 {m['nfr_f1']:.3f}"
    )

    y = np.array([c != "F" for c in gold], dtype=float)
    project = np.array([p for p, _, _ in rows])
    x = unit(vectors.astype(float))
    for l2 in (10, 100, 300, 1000, 3000, 10000, 30000):
        p = trained(x, y, project, l2)
        m = kind_metrics(gold, [("non_functional" if v else "functional", None, 0.0) for v in p])
        print(
            f"trained logistic regression, L2 {l2:>6}: accuracy {m['accuracy']:.3f} NFR F1 {m['nfr_f1']:.3f}"
        )


if __name__ == "__main__":
    main()
