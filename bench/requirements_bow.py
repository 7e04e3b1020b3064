"""Reference, not shipped: would word features learned from PROMISE itself reach FR/NFR F1 0.85?

    .venv/bin/python bench/requirements_bow.py

Leave-one-project-out on ../shared/eval/promise_nfr, as in bench/requirements.py: an L2-regularised logistic
regression fitted on 14 projects and tested on the 15th, over word unigrams and bigrams seen in at least two
training statements, alone and together with the USE vector and the engine's cue totals and prototype gap.
It is a yardstick for the features, not a product path: the product does not learn from the evaluation set.
The fit runs in the dual (a 580 x 580 Newton system per fold), because the features outnumber the statements.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from requirements import cue_features, kind_metrics, load_promise, make_embedder  # noqa: E402

from assistant.requirements.classify import cue_scores, prototype_similarities  # noqa: E402


def words(text: str) -> set[str]:
    w = re.findall(r"[a-z]+|\d+", text.lower())
    return set(w) | {f"{a}_{b}" for a, b in zip(w, w[1:], strict=False)}


def fit_dual(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 25) -> np.ndarray:
    """Kernel form of L2 logistic regression (w = x.T @ a): Newton steps on a, an n x n system."""
    k = x @ x.T
    a = np.zeros(len(y))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(k @ a)))
        a -= np.linalg.solve((p * (1 - p))[:, None] * k + l2 * np.eye(len(y)), p - y + l2 * a)
    return x.T @ a


def main() -> None:
    rows = load_promise()
    texts = [t for _, t, _ in rows]
    gold = [c for _, _, c in rows]
    scores = [cue_scores(t) for t in texts]
    embed = make_embedder("use")
    assert embed is not None
    sims = prototype_similarities(texts, embed)  # type: ignore[arg-type]
    vec = np.asarray(embed(texts), dtype=float)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    cues = np.array(cue_features(scores, sims))
    bags = [words(t) for t in texts]
    y = np.array([c != "F" for c in gold], dtype=float)
    project = np.array([p for p, _, _ in rows])

    def run(bow: bool, vectors: bool, l2: float) -> dict[str, float]:
        pred: list[tuple[str, str | None, float]] = [("functional", None, 0.0)] * len(rows)
        for held in np.unique(project):
            train = project != held
            df: dict[str, int] = {}
            for i in np.flatnonzero(train):
                for t in bags[i]:
                    df[t] = df.get(t, 0) + 1
            index = {t: j for j, t in enumerate(t for t, c in df.items() if c >= 2)} if bow else {}
            b = np.zeros((len(rows), len(index)))
            for i, bag in enumerate(bags):
                for t in bag & index.keys():
                    b[i, index[t]] = 1.0
            x = np.hstack([b, *([vec] if vectors else []), cues, np.ones((len(rows), 1))])
            w = fit_dual(x[train], y[train], l2)
            for i in np.flatnonzero(~train):
                pred[i] = ("non_functional" if x[i] @ w > 0 else "functional", None, 0.0)
        return kind_metrics(gold, pred)

    print(f"{'features':42} {'l2':>4} {'accuracy':>9} {'NFR F1':>7} {'macro F1':>9}")
    for name, bow, vectors, l2 in [
        ("cue totals + word n-grams", True, False, 1.0),
        ("cue totals + word n-grams", True, False, 3.0),
        ("cue totals + USE vector", False, True, 1.0),
        ("cue totals + USE vector + word n-grams", True, True, 1.0),
        ("cue totals + USE vector + word n-grams", True, True, 3.0),
    ]:
        k = run(bow, vectors, l2)
        print(f"{name:42} {l2:>4} {k['accuracy']:>9.3f} {k['nfr_f1']:>7.3f} {k['macro_f1']:>9.3f}")


if __name__ == "__main__":
    main()
