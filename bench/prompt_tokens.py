"""Tokens the local model must read per /ask and 5-Why call, before and after the passage budget, in one run.

    .venv/bin/python -m bench.prompt_tokens [--n 60]

Prompt evaluation runs at ~40-70 tokens/s on two cores, so the tokens of a prompt that the server's cache
cannot reuse (everything after the static system text) are most of the wait before an answer's first word.
XQuAD paragraphs of both languages are indexed as in bench.answers; for ``--n`` answerable questions per
language the /ask search runs once and its passages are laid out both ways: before = the first 800
characters of each passage until 2,400 characters (what shipped until this change), after = the token budget
of assistant/qa/focus.py. Counted with the packaged model's own tokenizer (no generation). Printed per
language: tokens of the whole prompt and of its uncached part (median, p90), passages shown, and the share of
questions whose gold answer string is still in the text the model reads (the budget must not cut answers).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

from api.container import Container
from assistant.prompts import render_prompt
from assistant.providers.llama_server import model_path
from assistant.qa.focus import Budget, fit
from assistant.qa.pipeline import format_passages
from assistant.retrieval.models import SearchResult
from assistant.settings import load_settings
from bench.answers import build, load, norm


def before(hits: Sequence[SearchResult]) -> list[str]:
    """The character budget that shipped until this change (qa.pipeline._with_budget: 2,400 / 800)."""
    shown: list[str] = []
    used = 0
    for h in hits:
        cost = min(len(h.text), 800)
        if shown and used + cost > 2400:
            break
        shown.append(h.text[:800])
        used += cost
    return shown


def p90(values: list[int]) -> int:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60, help="answerable questions per language")
    ap.add_argument(
        "--try",
        dest="tries",
        default="",
        help="other budgets to compare, total/first/other[,...], e.g. 360/180/100 (default: the shipped one)",
    )
    args = ap.parse_args()
    budgets = {"after": Budget()} | {
        f"try {t}": Budget(*(int(x) for x in t.split("/"))) for t in args.tries.split(",") if t
    }
    from llama_cpp import Llama  # the set-up installs it; only its tokenizer is loaded

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp), _env_file=None, risk_auto_scan=False)
        vocab = Llama(model_path=str(model_path(settings)), vocab_only=True, verbose=False)

        def tokens(text: str) -> int:
            return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))

        container = Container(settings)
        embed = container.embeddings.embed_array
        print(
            "| lang | side | prompt tokens median | p90 | uncached median | p90 | passages | gold answer shown |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for lang in ("en", "zh"):
            corpus, queries = load(lang)
            pid = build(container, f"xquad-{lang}", corpus, set())
            sample = random.Random(7).sample(queries, min(args.n, len(queries)))
            system = tokens(render_prompt("qa_system", lang))
            rows: dict[str, dict[str, list[int]]] = {
                s: {"user": [], "n": [], "gold": []} for s in ("before", *budgets)
            }
            for q in sample:
                hits = container.search(pid, q["question"], top_k=6, for_answer=True).results
                gold = [norm(a) for a in q["answers"]]
                layouts = {"before": before(hits)} | {
                    side: fit([h.text for h in hits], q["question"], budget=b, embed=embed)
                    for side, b in budgets.items()
                }
                for side, shown in layouts.items():
                    user = render_prompt(
                        "qa_user",
                        None,
                        passages=format_passages(hits[: len(shown)], texts=shown),
                        question=q["question"],
                    )
                    rows[side]["user"].append(tokens(user))
                    rows[side]["n"].append(len(shown))
                    rows[side]["gold"].append(int(any(g in norm(" ".join(shown)) for g in gold)))
            for side, r in rows.items():
                whole = [system + u for u in r["user"]]
                print(
                    f"| {lang} | {side} | {statistics.median(whole):.0f} | {p90(whole)} | "
                    f"{statistics.median(r['user']):.0f} | {p90(r['user'])} | {statistics.mean(r['n']):.1f} | "
                    f"{statistics.mean(r['gold']):.2f} |",
                    flush=True,
                )
        container.close()


if __name__ == "__main__":
    main()
