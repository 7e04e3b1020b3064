"""Answer benchmark on XQuAD with the embedded LLM: gold answers in the answer, citation precision, refusals.

    .venv/bin/python -m bench.answers --n 100 --refusals 50          # the issue's sizes (hours on 2 cores)
    .venv/bin/python -m bench.answers --n 10 --refusals 5 --lang zh  # a quick look

Each paragraph of the chosen language is ingested as a .txt document through ``ingest_file`` into two projects:
``full`` (all 240 paragraphs) for the answerable sample, and ``holdout`` (the gold paragraphs of the refusal
sample left out) for the refusal sample. Questions are sampled with a fixed seed, spread over articles.
Printed: share of answers containing a gold answer string, share of supported citations whose passage holds a
gold answer string, refusals, and seconds per answer. Needs the set-up (llama-cpp-python and the model).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import unicodedata
from pathlib import Path

from api.container import Container
from assistant.db import transaction
from assistant.projects import repository as projects
from assistant.qa.service import ask_project
from assistant.settings import load_settings
from ingest.pipeline import ingest_file

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "xquad_zh_en"


def norm(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if not ch.isspace())


def load(lang: str) -> tuple[dict[str, str], list[dict]]:
    corpus = {}
    for line in (EVAL / f"corpus_{lang}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        corpus[row["doc_id"]] = row["text"]
    queries = [
        json.loads(line) for line in (EVAL / f"queries_{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return corpus, queries


def build(container: Container, name: str, corpus: dict[str, str], leave_out: set[str]) -> str:
    with transaction(container.sessions) as session:
        pid = projects.create_project(session, name=name).id
    for doc_id, text in corpus.items():
        if doc_id not in leave_out:
            ingest_file(container.ingestor, project_id=pid, file_name=f"{doc_id}.txt", data=text.encode())
    return pid


def ask(container: Container, pid: str, question: str):  # type: ignore[no-untyped-def]
    return ask_project(
        question,
        llm=container.chat_model,
        search=lambda q: container.search(pid, q, top_k=6).results,
        embeddings=container.embeddings,
        settings=container.settings,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100, help="answerable questions")
    parser.add_argument("--refusals", type=int, default=50, help="questions whose gold paragraph is left out")
    parser.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(load_settings(data_dir=Path(tmp), _env_file=None))
        rows = []
        for lang in langs:
            corpus, queries = load(lang)
            rng = random.Random(args.seed)
            sample = rng.sample(queries, args.n // len(langs) + args.refusals // len(langs))
            answerable, held = sample[: args.n // len(langs)], sample[args.n // len(langs) :]
            leave_out = {d for q in held for d in q["gold_doc_ids"]}
            t0 = time.perf_counter()
            full = build(container, f"xquad-{lang}-full", corpus, set())
            holdout = build(container, f"xquad-{lang}-holdout", corpus, leave_out)
            print(
                f"[{lang}] indexed 2 x {len(corpus)} paragraphs in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
            for q in answerable:
                t = time.perf_counter()
                out = ask(container, full, q["question"])
                gold = [norm(a) for a in q["answers"]]
                supported = [c for c in out.citations if c.supported]
                passages = {p.document_id: norm(p.text) for p in out.passages}
                rows.append(
                    {
                        "lang": lang,
                        "kind": "answerable",
                        "seconds": time.perf_counter() - t,
                        "refused": out.refused,
                        "has_gold": any(g in norm(out.answer) for g in gold),
                        "cites": len(supported),
                        "cites_gold": sum(
                            any(g in passages.get(c.document_id, "") for g in gold) for c in supported
                        ),
                    }
                )
                print(
                    json.dumps({**rows[-1], "q": q["question"], "answer": out.answer}, ensure_ascii=False),
                    flush=True,
                )
            for q in held:
                t = time.perf_counter()
                out = ask(container, holdout, q["question"])
                rows.append(
                    {
                        "lang": lang,
                        "kind": "held_out",
                        "seconds": time.perf_counter() - t,
                        "refused": out.refused,
                    }
                )
                print(
                    json.dumps({**rows[-1], "q": q["question"], "answer": out.answer}, ensure_ascii=False),
                    flush=True,
                )
        container.close()
    print()
    print(
        f"{'lang':5} {'answerable':>10} {'gold in answer':>15} {'cite precision':>15} {'refused(held-out)':>18} {'s/answer':>9}"
    )
    for lang in [*langs, "all"]:
        sel = [r for r in rows if lang in ("all", r["lang"])]
        ans = [r for r in sel if r["kind"] == "answerable"]
        held = [r for r in sel if r["kind"] == "held_out"]
        cites = sum(r["cites"] for r in ans)
        print(
            f"{lang:5} {len(ans):>10} "
            f"{(sum(r['has_gold'] for r in ans) / len(ans) if ans else float('nan')):>15.2f} "
            f"{(sum(r['cites_gold'] for r in ans) / cites if cites else float('nan')):>15.2f} "
            f"{(sum(r['refused'] for r in held) / len(held) if held else float('nan')):>18.2f} "
            f"{statistics.mean(r['seconds'] for r in sel):>9.1f}"
        )


if __name__ == "__main__":
    main()
