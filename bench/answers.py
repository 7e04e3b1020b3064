"""Answer benchmark on XQuAD with the embedded LLM: gold answers in the answer, citation precision, refusals.

    .venv/bin/python -m bench.answers --n 100 --refusals 50 --log /tmp/answers.jsonl  # the issue's sizes
    .venv/bin/python -m bench.answers --n 10 --refusals 5 --lang zh                   # a quick look
    .venv/bin/python -m bench.answers --summarize /tmp/answers.jsonl                  # table of a (partial) log
    .venv/bin/python -m bench.answers --questions bench/gold/near_miss_demo.jsonl --log /tmp/near_miss.jsonl
    .venv/bin/python -m bench.answers --questions bench/gold/near_miss_demo.jsonl --summarize /tmp/near_miss.jsonl

Each paragraph of the chosen language is ingested as a .txt document through ``ingest_file`` into two projects:
``full`` (all 240 paragraphs) for the answerable sample, and ``holdout`` (the gold paragraphs of the refusal
sample left out) for the refusal sample. Questions are sampled with a fixed seed and asked through
``ask_project``, what ``POST /ask`` runs, in an order that alternates languages and mixes both kinds, so a run
cut short still measures both. Printed: share of answers containing a gold answer string, share whose passages
include the gold paragraph, share of supported citations whose passage holds a gold answer string, refusals
of held-out questions, and the median seconds per answer. Needs the set-up (llama-cpp-python and the model).

``--questions FILE`` asks a question file instead (one JSON object a line: ``question``, ``language``,
``answerable``, ``answers`` and ``gold_doc_ids``, as bench/gold/near_miss_demo.jsonl) over one project holding
every file of ``--documents`` (default: the demo project); an unanswerable question counts as held out.
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
from assistant.errors import AssistantError
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
        search=lambda q: container.search(pid, q, top_k=6, for_answer=True).results,
        embeddings=container.embeddings,
        settings=container.settings,
    )


def run_one(container: Container, lang: str, kind: str, pid: str, q: dict) -> dict:
    """One question's row; a question the model could not answer (busy past its wait, or malformed twice) is
    logged with its ``error`` and left out of the table, instead of ending the run."""
    t = time.perf_counter()
    try:
        out = ask(container, pid, q["question"])
    except AssistantError as exc:
        return {"lang": lang, "kind": kind, "seconds": round(time.perf_counter() - t, 2), "error": str(exc),
                "q": q["question"]}  # fmt: skip
    row = {
        "lang": lang,
        "kind": kind,
        "seconds": round(time.perf_counter() - t, 2),
        "refused": out.refused,
        "refusal_reason": out.refusal_reason,
    }
    if kind == "answerable":
        gold = [norm(a) for a in q["answers"]]
        supported = [c for c in out.citations if c.supported]
        # By chunk: a paragraph split in two gives two passages with one document_id.
        passages = {p.chunk_id: norm(p.text) for p in out.passages}
        row |= {
            "has_gold": any(g in norm(out.answer) for g in gold),
            "retrieved_gold": any(
                p.file_name.removesuffix(".txt") in q["gold_doc_ids"] for p in out.passages
            ),
            "cites": len(supported),
            "cites_gold": sum(any(g in passages.get(c.chunk_id, "") for g in gold) for c in supported),
            "checked": out.citations_checked,
            "held": out.citations_supported,
        }
    return {**row, "q": q["question"], "answer": out.answer}


def run_questions(
    container: Container, questions: list[dict], documents: Path, skip: int, log: Path | None
) -> list[dict]:
    """The --questions run: one project of every file in ``documents`` (attachments included, as uploads are),
    then each question in file order, each row printed and logged as it comes."""
    with transaction(container.sessions) as session:
        pid = projects.create_project(session, name=f"questions-{documents.name}").id
    t0 = time.perf_counter()
    files = sorted(f for f in documents.iterdir() if f.is_file())
    for f in files:
        ingest_file(container.ingestor, project_id=pid, file_name=f.name, data=f.read_bytes())
    print(f"indexed {len(files)} files in {time.perf_counter() - t0:.0f} s", flush=True)
    rows = []
    for q in questions[skip:]:
        kind = "answerable" if q["answerable"] else "held_out"
        row = {"id": q.get("id"), **run_one(container, q["language"], kind, pid, q)}
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if log:
            with log.open("a", encoding="utf-8") as f:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        rows.append(row)
    return rows


def _by_threshold(row: dict) -> bool:
    """Refused by the relevance threshold, before the model. Logs before session 6 have no reason; there a
    refusal under a second is the threshold's (the rerank step's cold e5 reads made that guess unusable)."""
    if "refusal_reason" in row:
        return row["refusal_reason"] == "no_relevant_passages"
    return row["seconds"] <= 1.0


def summarize(rows: list[dict], langs: list[str], gold: dict[str, list[str]] | None = None) -> None:
    """``gold``: the gold answers by question, when not XQuAD's."""
    errors = [r for r in rows if "error" in r]
    if errors:
        print(f"{len(errors)} questions ended in an error and are left out: {errors[0]['error']}")
    rows = [r for r in rows if "error" not in r]
    print(
        f"{'lang':5} {'answerable':>10} {'refused':>8} {'gold in answer':>15} {'gold retrieved':>15} "
        f"{'cite precision':>15} {'held-out':>9} {'refused':>8} {'right anyway':>13} {'s/answer':>9}"
    )
    gold_answers = (
        gold if gold is not None else {q["question"]: q["answers"] for lang in langs for q in load(lang)[1]}
    )
    for lang in [*langs, "all"]:
        sel = [r for r in rows if lang in ("all", r["lang"])]
        ans = [r for r in sel if r["kind"] == "answerable"]
        held = [r for r in sel if r["kind"] == "held_out"]
        cites = sum(r["cites"] for r in ans)
        # XQuAD paragraphs of one article overlap: a held-out question is sometimes answered, correctly, from
        # a neighbouring paragraph. Those answers are counted apart.
        model_s = [r["seconds"] for r in sel if not (r["refused"] and _by_threshold(r))]
        held_answered_right = sum(
            not r["refused"] and any(norm(a) in norm(r["answer"]) for a in gold_answers.get(r["q"], []))
            for r in held
        )

        def share(k: str, rs: list[dict]) -> float:
            return sum(bool(r[k]) for r in rs) / len(rs) if rs else float("nan")

        print(
            f"{lang:5} {len(ans):>10} {share('refused', ans):>8.2f} {share('has_gold', ans):>15.2f} "
            f"{share('retrieved_gold', ans):>15.2f} "
            f"{(sum(r['cites_gold'] for r in ans) / cites if cites else float('nan')):>15.2f} "
            f"{len(held):>9} {share('refused', held):>8.2f} {held_answered_right:>13} "
            f"{(statistics.median(model_s) if model_s else float('nan')):>9.1f}"
        )
    held = [r for r in rows if r["kind"] == "held_out"]
    ans = [r for r in rows if r["kind"] == "answerable"]
    gate = sum(r["refused"] and _by_threshold(r) for r in held)
    later = sum(r["refused"] and not _by_threshold(r) for r in held)
    print(
        f"held-out refused by the relevance threshold {gate}, by the model or the citation check {later}, "
        f"answered {len(held) - gate - later} (of {len(held)}); answerable refused by the threshold "
        f"{sum(r['refused'] and _by_threshold(r) for r in ans)}, "
        f"later {sum(r['refused'] and not _by_threshold(r) for r in ans)}"
    )
    print(
        "s/answer: median over the questions the model saw (refusals by the relevance threshold take ~0.05 s); "
        "cite precision: supported citations whose passage holds a gold answer string."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100, help="answerable questions")
    parser.add_argument("--refusals", type=int, default=50, help="questions whose gold paragraph is left out")
    parser.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log", type=Path, default=None, help="append one JSON line per question here")
    parser.add_argument("--skip", type=int, default=0, help="resume: skip the first N questions of the order")
    parser.add_argument(
        "--summarize", type=Path, default=None, help="print the table of a (partial) --log file and stop"
    )
    parser.add_argument(
        "--questions", type=Path, default=None, help="ask this question file (JSON lines) instead of XQuAD"
    )
    parser.add_argument(
        "--documents",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "demo" / "project",
        help="with --questions: the folder whose files make the project",
    )
    args = parser.parse_args()
    langs = ["zh", "en"] if args.lang == "both" else [args.lang]
    questions: list[dict] | None = None
    gold: dict[str, list[str]] | None = None
    if args.questions:
        lines = args.questions.read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line) for line in lines if line.strip()]
        questions = [q for q in questions if q["language"] in langs]
        # A held-out question's "right anyway" needs its gold answers; a near miss has none.
        gold = {q["question"]: q["answers"] for q in questions}
    if args.summarize:
        lines = args.summarize.read_text(encoding="utf-8").splitlines()
        summarize([json.loads(line) for line in lines if line.strip()], langs, gold)
        return
    if questions is not None:
        with tempfile.TemporaryDirectory() as tmp:
            container = Container(load_settings(data_dir=Path(tmp), _env_file=None, risk_auto_scan=False))
            rows = run_questions(container, questions, args.documents, args.skip, args.log)
            container.close()
        print()
        summarize(rows, langs, gold)
        return
    with tempfile.TemporaryDirectory() as tmp:
        # No automatic risk scans: they would share the model with the answers being timed.
        container = Container(load_settings(data_dir=Path(tmp), _env_file=None, risk_auto_scan=False))
        queues = []
        for lang in langs:
            corpus, queries = load(lang)
            rng = random.Random(args.seed)
            per_lang = args.n // len(langs)
            sample = rng.sample(queries, per_lang + args.refusals // len(langs))
            answerable, held = sample[:per_lang], sample[per_lang:]
            leave_out = {d for q in held for d in q["gold_doc_ids"]}
            t0 = time.perf_counter()
            full = build(container, f"xquad-{lang}-full", corpus, set())
            holdout = build(container, f"xquad-{lang}-holdout", corpus, leave_out)
            print(
                f"[{lang}] indexed 2 x {len(corpus)} paragraphs in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
            work = [(lang, "answerable", full, q) for q in answerable] + [
                (lang, "held_out", holdout, q) for q in held
            ]
            rng.shuffle(work)  # a run cut short still has both kinds in proportion
            queues.append(work)
        # Alternate the languages for the same reason.
        order = [w for group in zip(*queues, strict=False) for w in group]
        order += [w for q in queues for w in q[len(order) // len(queues) :]]
        rows = []
        for lang, kind, pid, q in order[args.skip :]:
            row = run_one(container, lang, kind, pid, q)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            if args.log:
                with args.log.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows.append(row)
        container.close()
    print()
    summarize(rows, langs)


if __name__ == "__main__":
    main()
