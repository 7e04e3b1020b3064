"""The screen alone, sentence by sentence, against the gold risks of the demo minutes and the openETCS minutes.

    .venv/bin/python -m bench.risk_screen                     # candidates at the product's cue score
    .venv/bin/python -m bench.risk_screen --min-score 1 --out screen.json

No database scan and no register: each gold document is read and split as ingestion does, its candidate
sentences are selected by the cue pass (rules plus the embedder), and each is put to the screen question
(assistant/risks/screen.py) with its passage as context. It prints, per document and in all:
- covered: gold risks whose evidence is one of the candidate sentences (the ceiling the screen can reach);
- recall: gold risks whose sentence the screen said yes to;
- precision: yes-sentences that hold a gold risk's evidence (a floor: the gold files do not list every risk);
- calls, prompt and output tokens, seconds.
Answers are cached by (prompt text, sentence) in ~/.cache/requirements-assistant/bench, so a re-run with
another selector only asks what is new.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelOutputError
from assistant.providers.llm import structured_method, with_output_cap
from assistant.providers.metering import metered
from assistant.risks.cues import candidate_passages, document_sentences
from assistant.risks.ranking import add_embedding_scores
from assistant.risks.screen import SCREEN_OUTPUT_TOKENS, raises_risk, screen_messages
from assistant.settings import load_settings
from bench.risk_scan import DEMO, DEMO_GOLD, GOLD, MINUTES, _overlap, load_gold
from ingest.pipeline import prepare_chunks
from ingest.readers import read_document

CACHE = Path.home() / ".cache" / "requirements-assistant" / "bench" / "risk_screen.json"


@dataclass(frozen=True)
class _Chunk:
    id: str
    text: str
    page: int | None
    section: str | None


def _chunks(path: Path, size: int, overlap: int) -> list[_Chunk]:
    result = read_document(path.name, path.read_bytes())
    return [
        _Chunk(f"{path.name}:{i}", c.text, c.page, c.section)
        for i, c in enumerate(prepare_chunks(result, size=size, overlap=overlap))
    ]


def _key(sentence: str, context: str) -> str:
    text = "\n".join(str(m.content) for m in screen_messages(sentence, context))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--min-score", type=float, default=None, help="cue score of a candidate sentence")
    parser.add_argument("--embed-weight", type=float, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="risk-screen-"))
    settings = load_settings(data_dir=data_dir, risk_auto_scan=False, llm_timeout_s=600)
    rs = settings.risk
    min_score = rs.scan_min_cue_score if args.min_score is None else args.min_score
    weight = rs.scan_embed_weight if args.embed_weight is None else args.embed_weight
    from api.container import Container

    container = Container(settings)
    cache: dict[str, bool] = json.loads(CACHE.read_text()) if CACHE.is_file() else {}
    gold = load_gold(DEMO_GOLD) + load_gold(GOLD)
    files = [p for p in sorted(DEMO.iterdir()) if p.name in {g["document"] for g in gold}] + MINUTES
    rows, totals = [], {"gold": 0, "covered": 0, "found": 0, "yes": 0, "yes_gold": 0, "sentences": 0}
    meter_calls = prompt = output = 0
    seconds = 0.0
    try:
        llm = with_output_cap(container.chat_model, SCREEN_OUTPUT_TOKENS)
        method = structured_method(settings)
        for path in files:
            doc = document_sentences(_chunks(path, settings.ingest.chunk_size, settings.ingest.chunk_overlap))
            if weight > 0:
                add_embedding_scores(doc, container.embeddings.embed_array, weight=weight)
            passages = candidate_passages(doc, max_chars=rs.scan_passage_chars, min_score=min_score)
            golds = [g for g in gold if g["document"] == path.name]
            said: list[tuple[str, bool]] = []
            for p in passages:
                for sentence in p.focus:
                    key = _key(sentence, p.text)
                    if key not in cache:
                        started = time.monotonic()
                        with metered() as meter:
                            try:
                                cache[key] = raises_risk(llm, method, sentence, p.text)
                            except ModelOutputError:
                                cache[key] = False
                        seconds += time.monotonic() - started
                        meter_calls += meter.calls
                        prompt += meter.prompt_tokens
                        output += meter.completion_tokens
                        CACHE.parent.mkdir(parents=True, exist_ok=True)
                        CACHE.write_text(json.dumps(cache))
                    said.append((sentence, cache[key]))
            covered = [g for g in golds if any(_overlap(g["evidence"], s) >= 0.5 for s, _ in said)]
            found = [g for g in golds if any(_overlap(g["evidence"], s) >= 0.5 for s, yes in said if yes)]
            yes = [s for s, y in said if y]
            yes_gold = [s for s in yes if any(_overlap(g["evidence"], s) >= 0.5 for g in golds)]
            row = {"document": path.name, "sentences": len(said), "yes": len(yes), "yes_gold": len(yes_gold),
                   "gold": len(golds), "covered": len(covered), "found": len(found),
                   "missed": [g["evidence"] for g in golds if g not in found],
                   "yes_not_gold": [s for s in yes if s not in yes_gold]}  # fmt: skip
            rows.append(row)
            for k in totals:
                totals[k] += int(row[k])  # type: ignore[call-overload]
            print(f"{path.name[:44]:44} sentences {row['sentences']:3} yes {row['yes']:3} gold {row['gold']:2} "
                  f"covered {row['covered']:2} found {row['found']:2}", flush=True)  # fmt: skip
    finally:
        container.close()
    recall = totals["found"] / totals["gold"]
    precision = totals["yes_gold"] / totals["yes"] if totals["yes"] else 0.0
    print(f"min score {min_score} embed weight {weight}: {totals['sentences']} sentences, {totals['yes']} yes; "
          f"gold {totals['gold']} covered {totals['covered']} found {totals['found']} -> recall {recall:.3f}, "
          f"precision (floor) {precision:.3f}")  # fmt: skip
    print(f"new calls {meter_calls}, tokens {prompt}+{output}, {seconds:.1f} s")
    if args.out:
        args.out.write_text(json.dumps({"totals": totals, "documents": rows}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
