"""FR/NFR and quality class on PROMISE NFR with the embedded LLM settling the statements the rules are unsure of.

    .venv/bin/python -m bench.requirements_llm                 # every statement (resumes from its cache)
    .venv/bin/python -m bench.requirements_llm --limit 100     # the first 100 of a fixed shuffled order

The model's answer for each statement is cached (keyed by prompt and statement) in
~/.cache/requirements-assistant/bench/llm_classify.jsonl, so a run cut short resumes and the table can be
printed again at no cost. Printed: rules + USE prototypes alone (shipped constants), the LLM alone, and the two
combined at several confidence cut-offs (the LLM decides below the cut-off), with the cut-off chosen
leave-one-project-out (on the other 14 projects) as the honest figure. Only statements that some cut-off sends
to the model are scored in the combined rows; with --limit the table covers the statements read so far.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.prompts import render_prompt  # noqa: E402
from assistant.requirements.classify import (  # noqa: E402
    cue_scores,  # noqa: E402
    decide,
    prototype_similarities,
)
from bench.requirements import CLASS_NAMES, class_macro_f1, kind_metrics, load_promise, make_embedder, table  # noqa: E402

CACHE = Path.home() / ".cache" / "requirements-assistant" / "bench" / "llm_classify.jsonl"
CUTS = [0.0, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01]  # 0.0: rules only; 1.01: the LLM everywhere


def _key(text: str) -> str:
    prompt = render_prompt("requirement_classify", "en") + render_prompt(
        "requirement_classify_user", None, statement=text
    )
    return hashlib.sha256(prompt.encode()).hexdigest()[:24]


def _load_cache() -> dict[str, dict]:
    if not CACHE.exists():
        return {}
    out = {}
    for line in CACHE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out[row["key"]] = row
    return out


def classify_all(texts: list[str], order: list[int], limit: int | None) -> dict[int, dict]:
    from assistant.requirements.classify_llm import llm_classify
    from assistant.settings import load_settings

    cache = _load_cache()
    todo = order[:limit] if limit else order
    missing = [i for i in todo if _key(texts[i]) not in cache]
    if missing:
        import tempfile

        from api.container import Container
        from assistant.providers.llm import structured_method

        settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="req-llm-bench-")))
        container = Container(settings)
        llm, method = container.chat_model, structured_method(settings)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        try:
            with CACHE.open("a", encoding="utf-8") as fh:
                for n, i in enumerate(missing, 1):
                    t = time.perf_counter()
                    out = llm_classify(texts[i], language="en", llm=llm, method=method)
                    row = {"key": _key(texts[i]), "kind": out.kind, "quality_class": out.quality_class,
                           "seconds": round(time.perf_counter() - t, 2)}  # fmt: skip
                    fh.write(json.dumps(row) + "\n")
                    fh.flush()
                    cache[row["key"]] = row
                    if n % 25 == 0:
                        print(f"  {n}/{len(missing)} read by the model", flush=True)
        finally:
            container.close()
    return {i: cache[_key(texts[i])] for i in todo if _key(texts[i]) in cache}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--limit", type=int, default=None, help="read at most this many statements (shuffled order)"
    )
    args = ap.parse_args()

    rows = load_promise()
    texts = [t for _, t, _ in rows]
    order = list(range(len(rows)))
    random.Random(7).shuffle(order)
    llm = classify_all(texts, order, args.limit)
    idx = sorted(llm)
    sims = prototype_similarities([texts[i] for i in idx], make_embedder("use"))  # type: ignore[arg-type]
    rules = {i: decide(cue_scores(texts[i]), s) for i, s in zip(idx, sims, strict=True)}

    def combined(i: int, cut: float) -> tuple[str, str | None, float]:
        kind, cls, conf = rules[i]
        if conf >= cut:
            return kind, cls, conf
        out = llm[i]
        return out["kind"], (out["quality_class"] or cls) if out["kind"] == "non_functional" else None, conf

    def metrics(ids: list[int], cut: float) -> tuple[dict[str, float], float]:
        gold = [rows[i][2] for i in ids]
        pred = [combined(i, cut) for i in ids]
        nfr = [k for k, g in enumerate(gold) if g != "F"]
        e2e = class_macro_f1([CLASS_NAMES[gold[k]] for k in nfr], [pred[k][1] or "functional" for k in nfr])
        return kind_metrics(gold, pred), e2e

    out_rows = []
    for cut in CUTS:
        k, e2e = metrics(idx, cut)
        sent = sum(rules[i][2] < cut for i in idx)
        name = "rules + USE only" if cut == 0 else "LLM only" if cut > 1 else f"LLM below confidence {cut}"
        out_rows.append([name, sent, k["accuracy"], k["nfr_precision"], k["nfr_recall"], k["nfr_f1"], e2e])

    # Leave-one-project-out: the cut-off is chosen on the other projects, then applied to the held-out one.
    pred_lopo: dict[int, tuple[str, str | None, float]] = {}
    chosen: dict[int, float] = {}
    for project in sorted({rows[i][0] for i in idx}):
        train = [i for i in idx if rows[i][0] != project]
        gold_train = [rows[i][2] for i in train]
        chosen[project] = max(
            CUTS, key=lambda c: kind_metrics(gold_train, [combined(i, c) for i in train])["nfr_f1"]
        )
        pred_lopo |= {i: combined(i, chosen[project]) for i in idx if rows[i][0] == project}
    gold = [rows[i][2] for i in idx]
    k = kind_metrics(gold, [pred_lopo[i] for i in idx])
    nfr = [i for i in idx if rows[i][2] != "F"]
    e2e = class_macro_f1(
        [CLASS_NAMES[rows[i][2]] for i in nfr], [pred_lopo[i][1] or "functional" for i in nfr]
    )
    sent = sum(rules[i][2] < chosen[rows[i][0]] for i in idx)
    out_rows.append(
        [
            "cut-off chosen per fold (LOPO)",
            sent,
            k["accuracy"],
            k["nfr_precision"],
            k["nfr_recall"],
            k["nfr_f1"],
            e2e,
        ]
    )
    table(
        f"PROMISE NFR with the LLM: {len(idx)} of {len(rows)} statements",
        ["configuration", "sent to LLM", "FR/NFR acc", "NFR P", "NFR R", "NFR F1", "class macro-F1 (11)"],
        out_rows,
    )
    secs = [llm[i]["seconds"] for i in idx]
    print(f"\nLLM seconds per statement: median {statistics.median(secs):.2f}, p90 "
          f"{sorted(secs)[int(0.9 * (len(secs) - 1))]:.2f}; cut-offs chosen per fold: {sorted(set(chosen.values()))}")  # fmt: skip


if __name__ == "__main__":
    main()
