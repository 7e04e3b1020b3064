"""Re-check the claims of a logged answer run (bench.answers --log) against the passages the model saw.

    .venv/bin/python -m bench.recheck_citations bench/results/answers_en.jsonl

No LLM: the answerable questions the model answered are searched again (same index, settings and passage
budget as /ask), and each claim of the logged answer is checked against every passage under three rules:
the session-2 check (overlap or embedding), short same-language claims by words only, and that plus "the
claim's new words (not in the question) are in the passage" (what ships). Printed per rule: claims some
passage supports, share whose best supporting passage holds a gold answer string, and how many passages
without the gold answer still pass (a citation to one of those would count as supported but wrong).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from api.container import Container
from assistant.qa.citations import check_support, split_claims
from assistant.qa.focus import fit
from assistant.qa.pipeline import UNSUPPORTED_FLAG
from assistant.settings import load_settings
from bench.answers import build, load, norm

RULES = {
    "session 2: words or embedding": {"short_claim_tokens": 0},
    "short claims by words only": {"short_claim_tokens": 4},
    "+ the answer's new words in the passage (shipped)": {"short_claim_tokens": 4, "with_question": True},
}


def main() -> None:
    log = Path(sys.argv[1])
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["kind"] == "answerable" and not r["refused"]]
    stats = {name: {"claims": 0, "gold": 0, "unsupported": 0, "wrong_pass": 0} for name in RULES}
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(load_settings(data_dir=Path(tmp), _env_file=None, risk_auto_scan=False))
        embed = container.embeddings.embed_array
        for lang in sorted({r["lang"] for r in rows}):
            corpus, queries = load(lang)
            gold = {q["question"]: [norm(a) for a in q["answers"]] for q in queries}
            pid = build(container, f"xquad-{lang}-full", corpus, set())
            for r in (r for r in rows if r["lang"] == lang):
                hits = container.search(pid, r["q"], top_k=6, for_answer=True).results
                # The passages the model is shown (their full text is what a citation is checked against).
                shown = fit([h.text for h in hits], r["q"], embed=embed)
                passages = [h.text for h in hits[: len(shown)]]
                for claim in split_claims(r["answer"]):
                    if not claim.text or any(f.strip() in claim.text for f in UNSUPPORTED_FLAG.values()):
                        continue
                    for name, rule in RULES.items():
                        question = r["q"] if rule.get("with_question") else None
                        checks = [
                            (p, check_support(claim.text, p, embed=embed, question=question,
                                              short_claim_tokens=rule["short_claim_tokens"]))
                            for p in passages
                        ]  # fmt: skip
                        passing = [(p, s) for p, s in checks if s.supported]
                        s = stats[name]
                        if not passing:
                            s["unsupported"] += 1
                            continue
                        best = max(passing, key=lambda x: x[1].overlap)[0]
                        s["claims"] += 1
                        s["gold"] += any(g in norm(best) for g in gold[r["q"]])
                        s["wrong_pass"] += sum(
                            not any(g in norm(p) for g in gold[r["q"]]) for p, _ in passing
                        )
        container.close()
    print(f"{len(rows)} answered answerable questions from {log}")
    for name, s in stats.items():
        share = s["gold"] / s["claims"] if s["claims"] else float("nan")
        print(f"{name:52} supported {s['claims']:3}  best passage holds gold {share:.3f}  "
              f"left unsupported {s['unsupported']:2}  passages without gold that pass {s['wrong_pass']:2}")  # fmt: skip


if __name__ == "__main__":
    main()
