"""Near-miss questions, offline: the question-specifics check (assistant/qa/specifics.py) against gold passages.

    .venv/bin/python -m bench.near_miss                 # bench/gold/near_miss_demo.jsonl
    .venv/bin/python -m bench.near_miss --verbose       # one line per question
    .venv/bin/python -m bench.near_miss --verify        # also: every gold passage is a chunk of the demo project
    .venv/bin/python -m bench.near_miss --xquad         # also: XQuAD answerable questions against their paragraph

No model is loaded. Each question of the file is checked against the one passage recorded with it
(``passage``: the verbatim chunk a model would answer from, with its ``file`` and ``section`` as the pipeline
passes them): for a near miss (``answerable`` false) the distractor, whose topic matches but whose year,
date, id or person does not; for an answerable control the passage holding the answer. Printed: near misses
the check refuses, answerable questions it wrongly refuses, by kind and language. This measures the check
alone, as if the model answered every question from that passage; the end-to-end figures (retrieval, the
model, the citation checks) come from ``bench.answers --questions``.

``--xquad`` runs the same check on every XQuAD question against its own gold paragraph, in its language and
across (an English question against the Chinese paragraph): all are answerable, so every refusal is a false
one the check would add if the model answered from that paragraph.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from assistant.qa.specifics import Evidence, missing_specifics

GOLD = Path(__file__).resolve().parent / "gold" / "near_miss_demo.jsonl"
DEMO = Path(__file__).resolve().parents[1] / "demo" / "project"


def evidence(row: dict) -> list[Evidence]:
    """The passage as the pipeline hands it to the check: its text, and its file name and section."""
    source = " ".join(x for x in (row["file"], row.get("section")) if x)
    return [Evidence(row["passage"], source)]


def check(rows: list[dict], verbose: bool) -> None:
    kinds: Counter[tuple[str, str]] = Counter()
    refused: Counter[tuple[str, str]] = Counter()
    wrong: list[tuple[dict, list[str]]] = []
    for row in rows:
        missing = [s.text for s in missing_specifics(row["question"], evidence(row))]
        kind = "answerable" if row["answerable"] else row["kind"]
        kinds[(kind, row["language"])] += 1
        refused[(kind, row["language"])] += bool(missing)
        if row["answerable"] and missing:
            wrong.append((row, missing))
        if verbose:
            right = bool(missing) != row["answerable"]
            mark = "ok  " if right else "MISS" if not row["answerable"] else "FALSE"
            print(f"{mark:5} {row['id']:6} {kind:15} {row['question']}  -> missing {missing}")
    if verbose:
        print()
    print(f"{'kind':15} {'lang':4} {'questions':>9} {'refused':>8}")
    for key in sorted(kinds):
        print(f"{key[0]:15} {key[1]:4} {kinds[key]:>9} {refused[key]:>8}")
    near = [r for r in rows if not r["answerable"]]
    near_refused = sum(refused[k] for k in kinds if k[0] != "answerable")
    answerable = len(rows) - len(near)
    print(
        f"\nnear misses refused {near_refused} of {len(near)}; "
        f"answerable questions wrongly refused {len(wrong)} of {answerable}"
    )
    for row, missing in wrong:
        print(f"  wrongly refused {row['id']}: {row['question']} (missing {missing})")


def verify(rows: list[dict]) -> None:
    """Every gold passage is, character for character, a chunk ingest makes of its demo file (no models)."""
    from assistant.settings import load_settings
    from ingest.pipeline import prepare_chunks
    from ingest.readers import read_document

    settings = load_settings(_env_file=None)
    chunks: dict[str, list[str]] = {}

    def add(name: str, data: bytes) -> None:
        result = read_document(name, data)
        size, overlap = settings.ingest.chunk_size, settings.ingest.chunk_overlap
        chunks[name] = [c.text for c in prepare_chunks(result, size=size, overlap=overlap)]
        for attachment in result.attachments:
            add(f"{name}/{attachment.file_name}", attachment.data)

    for f in sorted(DEMO.iterdir()):
        add(f.name, f.read_bytes())
    bad = [r["id"] for r in rows if r["passage"] not in chunks.get(r["file"], [])]
    print(f"passages verified against the demo project's chunks: {len(rows) - len(bad)} of {len(rows)}")
    if bad:
        print(f"  not a chunk of their file: {', '.join(bad)}")


def xquad() -> None:
    from bench.answers import EVAL, load

    if not EVAL.exists():
        print(f"XQuAD not found at {EVAL}")
        return
    corpora = {lang: load(lang) for lang in ("en", "zh")}
    for q_lang, p_lang in (("en", "en"), ("zh", "zh"), ("en", "zh"), ("zh", "en")):
        corpus = corpora[p_lang][0]
        refused = []
        queries = corpora[q_lang][1]
        for q in queries:
            passages = [Evidence(corpus[d], f"{d}.txt") for d in q["gold_doc_ids"]]
            missing = missing_specifics(q["question"], passages)
            if missing:
                refused.append((q["question"], [s.text for s in missing]))
        print(f"XQuAD {q_lang} questions, {p_lang} paragraphs: refused {len(refused)} of {len(queries)}")
        for question, missing in refused:
            print(f"  {question} (missing {missing})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=Path, default=GOLD)
    parser.add_argument("--verbose", action="store_true", help="one line per question")
    parser.add_argument("--verify", action="store_true", help="check the passages against the demo's chunks")
    parser.add_argument("--xquad", action="store_true", help="also check XQuAD's answerable questions")
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    check(rows, args.verbose)
    if args.verify:
        print()
        verify(rows)
    if args.xquad:
        print()
        xquad()


if __name__ == "__main__":
    main()
