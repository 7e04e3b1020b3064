"""Risk-scan benchmark on the openETCS API material, with the embedded LLM and embeddings.

    .venv/bin/python -m bench.risk_scan calibrate           # measure the matching thresholds
    .venv/bin/python -m bench.risk_scan run --out run.json  # ingest + scan + score (15-25 min on 2 cores)
    .venv/bin/python -m bench.risk_scan run --no-spec       # only the minutes (and the 20-page cut)
    .venv/bin/python -m bench.risk_scan score --found run.json  # score a saved run again
    .venv/bin/python -m bench.risk_scan demo --out demo.json    # the demo project in date order: recall on
                                                                # bench/gold/risks_demo.jsonl, follow-ups on
                                                                # bench/gold/risks_demo_follow.json, seconds
    ... run|demo --embed-weight 0                               # the selector without the embedder (rules only)

``run`` ingests ../shared/eval/openetcs_api (the 75-page requirements PDF and the two workshop minutes) into a
fresh data directory through the product's ingestion, then scans each document with ``scan_document`` exactly
as the API does, and reports per document: seconds and seconds per page, LLM calls and tokens per page, the
share of chunks the cue pass sent to the LLM, drafts, merges and dropped quotes. A separate project holds the
first 20 pages of the PDF, to time the target case (a 20-page document in at most 2 minutes on 2 cores).

The scorer compares the risks found in the minutes with bench/gold/openetcs_minutes_risks.jsonl (written by
reading the minutes; the product never reads it): a found risk matches a gold risk of the same document when
their quotes overlap (a common run of at least half the shorter quote, and 12 characters or more) or, failing
that, when "title. quote" of both are as similar as two statements of one risk (the register's own matching
threshold, by default). Matching is one-to-one, best pairs first; precision = matched found / found, recall =
matched gold / gold.

``calibrate`` embeds the labelled pairs of bench/gold/risk_match_pairs.jsonl (same risk reworded, across
languages and categories, and hard different-risk pairs) and picks the two thresholds of the register's
match rule (same category: sim >= t; different category: sim >= t_cross) that maximise F0.5. Precision
weighs more because the two errors cost differently: a false merge hides a risk inside another one, while a
missed merge only leaves a duplicate draft that a person rejects. Ties go to the middle of the tied range.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.db import transaction
from assistant.errors import AssistantError
from assistant.providers.embeddings import NamedEmbeddings, make_embeddings
from assistant.risks.schemas import ScanReport
from assistant.risks.settings import RiskSettings
from assistant.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval" / "openetcs_api"
SPEC = EVAL / "OETCS_API_Requirements_v1.2.pdf"
MINUTES = [EVAL / "minutes" / "MeetingMinutes_140410.md", EVAL / "minutes" / "MeetingMinutes_140513.md"]
GOLD = REPO / "bench" / "gold" / "openetcs_minutes_risks.jsonl"
DEMO = REPO / "demo" / "project"
DEMO_GOLD = REPO / "bench" / "gold" / "risks_demo.jsonl"
DEMO_FOLLOW = REPO / "bench" / "gold" / "risks_demo_follow.json"
PAIRS = REPO / "bench" / "gold" / "risk_match_pairs.jsonl"
CHARS_PER_PAGE = 3000  # a page of typed minutes, for files that have no pages
# The local 1.5B model on 2 idle cores (shared/MODELS.md: 64-80 tokens/s prompt, 7.6-10 tokens/s output): the
# projection replaces the measured LLM time, which a busy shared machine inflates many times over, with
# tokens / these rates. All prompt tokens are counted, though llama.cpp reuses the cached system prompt.
IDLE_PROMPT_TPS = 70.0
IDLE_OUTPUT_TPS = 8.0
TARGET_PAGES = 20
MIN_OVERLAP_CHARS = 12
MIN_WHOLE_CHARS = 6


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


# ---------------------------------------------------------------------------------------------- calibrate
def calibrate(embeddings: NamedEmbeddings, pairs_path: Path = PAIRS) -> dict[str, object]:
    pairs = [json.loads(line) for line in pairs_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    a = _unit(embeddings.embed_array([p["a"] for p in pairs]))
    b = _unit(embeddings.embed_array([p["b"] for p in pairs]))
    sims = [float(x) for x in (a * b).sum(axis=1)]
    same_cat = [p["category_a"] == p["category_b"] for p in pairs]
    labels = [bool(p["same"]) for p in pairs]
    grid = [round(x, 2) for x in np.arange(0.30, 0.96, 0.01)]
    scored = []
    for t in grid:
        for tx in (x for x in grid if x >= t):
            pred = [s >= (t if sc else tx) for s, sc in zip(sims, same_cat, strict=True)]
            tp = sum(p and y for p, y in zip(pred, labels, strict=True))
            fp = sum(p and not y for p, y in zip(pred, labels, strict=True))
            fn = sum(y and not p for p, y in zip(pred, labels, strict=True))
            f_half = 1.25 * tp / (1.25 * tp + 0.25 * fn + fp) if tp else 0.0
            scored.append((round(f_half, 6), -fp, t, tx, tp, fp, fn))
    best_f1, best_fp = max(scored)[:2]
    tied = [s for s in scored if s[0] == best_f1 and s[1] == best_fp]
    t = statistics.median_low(sorted({s[2] for s in tied}))
    tx = statistics.median_low(sorted({s[3] for s in tied if s[2] == t}))
    chosen = next(s for s in tied if s[2] == t and s[3] == tx)
    rows = [
        {"same": y, "same_category": sc, "similarity": round(float(s), 3), "a": p["a"][:60], "b": p["b"][:60]}
        for p, s, y, sc in zip(pairs, sims, labels, same_cat, strict=True)
    ]
    pos = [float(s) for s, y in zip(sims, labels, strict=True) if y]
    neg = [float(s) for s, y in zip(sims, labels, strict=True) if not y]
    return {
        "embeddings": embeddings.name,
        "pairs": len(pairs),
        "same_pairs": sum(labels),
        "threshold": t,
        "threshold_cross_category": tx,
        "f0.5": round(chosen[0], 3),
        "precision": round(chosen[4] / (chosen[4] + chosen[5]), 3),
        "recall": round(chosen[4] / (chosen[4] + chosen[6]), 3),
        "tp": int(chosen[4]),
        "fp": int(chosen[5]),
        "fn": int(chosen[6]),
        "similarity_same": [round(min(pos), 3), round(statistics.median(pos), 3), round(max(pos), 3)],
        "similarity_different": [round(min(neg), 3), round(statistics.median(neg), 3), round(max(neg), 3)],
        "rows": rows,
    }


# ---------------------------------------------------------------------------------------------- scoring
@dataclass
class Found:
    document: str
    risk_id: str
    title: str
    quote: str


def _overlap(a: str, b: str) -> float:
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    # A short clause (Chinese: "OA 厂商尚未参与项目", 11 characters) wholly inside the other is no coincidence.
    whole = m.size == min(len(a), len(b)) and m.size >= MIN_WHOLE_CHARS
    if m.size < MIN_OVERLAP_CHARS and not whole:
        return 0.0
    return m.size / min(len(a), len(b))


def score(
    found: list[Found], gold: list[dict[str, str]], embeddings: NamedEmbeddings, meaning_threshold: float
) -> dict[str, object]:
    found_vecs = _unit(embeddings.embed_array([f"{f.title}. {f.quote}" for f in found])) if found else None
    gold_vecs = _unit(embeddings.embed_array([f"{g['title']}. {g['evidence']}" for g in gold]))
    candidates = []
    for i, f in enumerate(found):
        for j, g in enumerate(gold):
            if Path(f.document).name != g["document"]:
                continue
            overlap = _overlap(f.quote, g["evidence"])
            sim = float(found_vecs[i] @ gold_vecs[j]) if found_vecs is not None else 0.0
            if overlap >= 0.5:
                candidates.append((1.0 + overlap, i, j, "evidence", sim))
            elif sim >= meaning_threshold:
                candidates.append((sim, i, j, "meaning", sim))
    candidates.sort(reverse=True)
    used_f, used_g, matches = set(), set(), []
    for _value, i, j, how, sim in candidates:
        if i in used_f or j in used_g:
            continue
        used_f.add(i)
        used_g.add(j)
        matches.append({"found": asdict(found[i]), "gold": gold[j], "by": how, "similarity": round(sim, 3)})
    precision = len(used_f) / len(found) if found else 0.0
    recall = len(used_g) / len(gold) if gold else 0.0
    per_doc = {}
    for doc in sorted({g["document"] for g in gold}):
        n_found = sum(1 for f in found if Path(f.document).name == doc)
        n_gold = sum(1 for g in gold if g["document"] == doc)
        hits = sum(1 for m in matches if m["gold"]["document"] == doc)
        per_doc[doc] = {"found": n_found, "gold": n_gold, "matched": hits}
    return {
        "found": len(found),
        "gold": len(gold),
        "matched": len(matches),
        "matched_by_evidence": sum(m["by"] == "evidence" for m in matches),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
        "per_document": per_doc,
        "matches": matches,
        "unmatched_found": [asdict(f) for k, f in enumerate(found) if k not in used_f],
        "missed_gold": [g for k, g in enumerate(gold) if k not in used_g],
    }


def by_risk(found: list[Found]) -> list[Found]:
    """One item per risk and document, its quotes joined: what a person reads in the register is the risk, and
    two sentences of one document filed on one risk are one finding, not one right and one wrong."""
    groups: dict[tuple[str, str], list[Found]] = {}
    for f in found:
        groups.setdefault((f.document, f.risk_id), []).append(f)
    return [
        Found(d, r, items[0].title, "\n".join(i.quote for i in items)) for (d, r), items in groups.items()
    ]


def score_both(
    found: list[Found], gold: list[dict[str, str]], embeddings: NamedEmbeddings, meaning_threshold: float
) -> dict[str, dict[str, object]]:
    """Scored per evidence quote (each quote a finding, as sessions 8-9 reported) and per risk (``by_risk``)."""
    docs = {g["document"] for g in gold}
    found = [f for f in found if Path(f.document).name in docs]
    return {
        "score": score(found, gold, embeddings, meaning_threshold),
        "score_by_risk": score(by_risk(found), gold, embeddings, meaning_threshold),
    }


def load_gold(path: Path = GOLD) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------- run
def _ingest(container: object, project: str, files: list[tuple[str, bytes]]) -> dict[str, str]:
    from assistant.projects import repository as projects
    from ingest.jobs import Upload, run_job, stage_job

    with transaction(container.sessions) as session:  # type: ignore[attr-defined]
        project_id = projects.get_or_create_project(session, name=project).id
    job_id = stage_job(container.ingestor, project_id=project_id, uploads=[Upload(n, d) for n, d in files])  # type: ignore[attr-defined]
    run_job(container.ingestor, job_id)  # type: ignore[attr-defined]
    from assistant.jobs import repository as jobs_repo

    with transaction(container.sessions) as session:  # type: ignore[attr-defined]
        rows = jobs_repo.job_files(session, job_id=job_id)
        failed = [f"{r.file_name}: {r.reason}" for r in rows if r.status == "failed"]
        if failed:
            raise SystemExit("ingestion failed: " + "; ".join(failed))
        return {r.file_name: str(r.document_id) for r in rows}


def _first_pages(pdf: Path, pages: int) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    reader, writer = PdfReader(str(pdf)), PdfWriter()
    for page in reader.pages[:pages]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pages(container: object, document_id: str) -> tuple[float, bool]:
    """Real pages, or page equivalents of CHARS_PER_PAGE for files without pages."""
    from assistant.documents.models import Document
    from assistant.index.chunks import document_chunks

    with transaction(container.sessions) as session:  # type: ignore[attr-defined]
        doc = session.get(Document, document_id)
        if doc is not None and doc.page_count:
            return float(doc.page_count), True
        chars = sum(len(c.text) for c in document_chunks(session, document_id=document_id))
    return round(chars / CHARS_PER_PAGE, 2), False


def run(args: argparse.Namespace) -> dict[str, object]:
    from api.container import Container
    from assistant.risks import repository as repo
    from assistant.risks.scan import ScanContext, scan_document

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="risk-bench-"))
    # A long LLM timeout: on a shared machine one call can take minutes, and a timed-out call ends the scan.
    settings = load_settings(
        data_dir=data_dir, llm_threads=args.threads, llm_timeout_s=args.timeout, risk_auto_scan=False
    )
    rs = settings.risk.model_validate(
        settings.risk.model_dump()
        | {
            k: v
            for k, v in {
                "scan_max_passages": args.max_passages,
                "scan_batch_size": args.batch_size,
                "scan_max_output_tokens": args.max_tokens,
                "scan_embed_weight": args.embed_weight,
            }.items()
            if v is not None
        }
    )
    container = Container(settings)
    results: dict[str, object] = {
        "settings": rs.model_dump(),
        "llm_model": settings.llm.model,
        "threads": args.threads,
    }
    try:
        t0 = time.monotonic()
        sets: list[tuple[str, list[tuple[str, bytes]]]] = [
            ("openetcs", [(p.name, p.read_bytes()) for p in ([] if args.no_spec else [SPEC]) + MINUTES])
        ]
        if not args.no_target:
            sets.append(
                (
                    f"openetcs-{TARGET_PAGES}p",
                    [(f"{SPEC.stem}_p1-{TARGET_PAGES}.pdf", _first_pages(SPEC, TARGET_PAGES))],
                )
            )
        ingested = {project: _ingest(container, project, files) for project, files in sets}
        results["ingest_seconds"] = round(time.monotonic() - t0, 1)
        t1 = time.monotonic()
        llm = container.chat_model  # starts the local model server before the clock runs
        results["llm_start_seconds"] = round(time.monotonic() - t1, 1)
        per_doc = []
        for project, docs in ingested.items():
            with transaction(container.sessions) as session:
                from assistant.projects import repository as projects

                project_id = projects.get_project(session, ref=project).id
            for name, document_id in docs.items():
                load_before = os.getloadavg()[0]
                try:
                    ctx = ScanContext(
                        llm, container.embeddings, container.sessions, settings, risk_settings=rs
                    )
                    # As the background scan does: every candidate, strongest first.
                    report = scan_document(ctx, project_id=project_id, document_id=document_id, limit=None)
                except AssistantError as exc:
                    print(f"{name}: scan failed: {exc}", flush=True)
                    per_doc.append({"project": project, "document": name, "failed": str(exc)})
                    continue
                pages, real = _pages(container, document_id)
                row = {
                    "project": project,
                    "document": name,
                    "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                    "pages": pages,
                    "pages_are_real": real,
                    **report.model_dump(exclude={"document_ids", "project_id", "pages"}),
                    "seconds_per_page": round(report.seconds / pages, 2) if pages else None,
                    "projected_idle_seconds": round(_projected(report), 1),
                    "projected_idle_seconds_per_page": round(_projected(report) / pages, 2)
                    if pages
                    else None,
                    "llm_calls_per_page": round(report.llm_calls / pages, 3) if pages else None,
                    "tokens_per_page": round((report.prompt_tokens + report.completion_tokens) / pages, 1)
                    if pages
                    else None,
                    "share_sent_to_llm": round(report.passages_sent / report.passages_seen, 3)
                    if report.passages_seen
                    else 0.0,
                    "share_with_cues": round(report.passages_with_cues / report.passages_seen, 3)
                    if report.passages_seen
                    else 0.0,
                }
                per_doc.append(row)
                print(_line(row), flush=True)
        results["documents"] = per_doc
        found: list[Found] = []
        with transaction(container.sessions) as session:
            from assistant.projects import repository as projects

            project_id = projects.get_project(session, ref="openetcs").id
            for risk in repo.project_risks(session, project_id=project_id):
                for ev in repo.risk_evidence(session, risk_id=risk.id):
                    if ev.signal == "risk":
                        found.append(Found(ev.file_name or "", risk.ref, risk.title, ev.quote))
        results["found"] = [asdict(f) for f in found]
        results |= score_both(found, load_gold(), container.embeddings, rs.match_threshold)
    finally:
        container.close()
    return results


def _settings(args: argparse.Namespace, data_dir: Path) -> tuple[Settings, RiskSettings]:
    settings = load_settings(
        data_dir=data_dir, llm_threads=args.threads, llm_timeout_s=args.timeout, risk_auto_scan=False
    )
    extra = {"scan_embed_weight": args.embed_weight} if args.embed_weight is not None else {}
    return settings, settings.risk.model_validate(settings.risk.model_dump() | extra)


def score_follow(session: object, project_id: str, expected: list[dict[str, object]]) -> dict[str, object]:
    """Per expected resolution: was a change proposed, from a quote of that sentence, on a risk whose earlier
    evidence is about it? And was anything applied without a person (a status or value the assistant set)?"""
    from assistant.risks import repository as repo
    from assistant.risks.models import ASSISTANT_ACTOR, HistoryKind

    risks = repo.project_risks(session, project_id=project_id)  # type: ignore[arg-type]
    rows = []
    applied = 0
    for risk in risks:
        evidence = " ".join(e.quote for e in repo.risk_evidence(session, risk_id=risk.id)).lower()  # type: ignore[arg-type]
        for h in repo.risk_history(session, risk_id=risk.id):  # type: ignore[arg-type]
            if h.actor == ASSISTANT_ACTOR and h.kind == HistoryKind.transition.value:
                applied += 1
            if h.kind == HistoryKind.suggestion.value and h.field in ("status", "probability", "impact"):
                rows.append((risk, evidence, h))
    results = []
    for item in expected:
        says = _norm(str(item["says"]))
        keys = [str(k).lower() for k in item["risk_evidence_any"]]  # type: ignore[attr-defined]
        hit = None
        for risk, evidence, h in rows:
            note = _norm(h.note or "")
            if _overlap(says, note) > 0 or says[:12] in note:
                right = any(k in evidence for k in keys)
                hit = hit or {"risk": risk.ref, "title": risk.title, "field": h.field, "to": h.new_value,
                              "right_risk": right, "note": (h.note or "")[:160]}  # fmt: skip
                if right:
                    hit = {**hit, "risk": risk.ref, "title": risk.title, "field": h.field, "to": h.new_value}
                    break
        if hit:
            hit["change"] = str(hit["note"]).split(" per ")[0]
            hit["expected_change"] = hit["change"] in item["expected"]  # type: ignore[operator]
        results.append({"says": item["says"], "proposed": hit})
    right = sum(1 for r in results if r["proposed"] and r["proposed"]["right_risk"])  # type: ignore[index]
    both = sum(
        1
        for r in results
        if r["proposed"] and r["proposed"]["right_risk"] and r["proposed"]["expected_change"]
    )  # type: ignore[index]
    return {
        "expected": len(expected),
        "proposed_on_right_risk": right,
        "share": round(right / len(expected), 3) if expected else 0.0,
        "right_risk_and_change": both,
        "suggestions_total": len(rows),
        "applied_without_a_person": applied,
        "statuses": sorted({r.status for r in risks}),
        "results": results,
    }


def run_demo(args: argparse.Namespace) -> dict[str, object]:
    """The demo project as it would arrive: each file ingested and scanned in date order (so later documents
    can update earlier risks), as the background scan does (every candidate)."""
    from api.container import Container
    from assistant.projects import repository as projects
    from assistant.risks import repository as repo
    from assistant.risks.scan import ScanContext, scan_document

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="risk-demo-"))
    settings, rs = _settings(args, data_dir)
    container = Container(settings)
    follow_gold = json.loads(DEMO_FOLLOW.read_text(encoding="utf-8"))
    files = sorted(DEMO.iterdir(), key=lambda p: p.name)
    results: dict[str, object] = {"settings": rs.model_dump(), "llm_model": settings.llm.model}
    try:
        llm = container.chat_model
        ctx = ScanContext(llm, container.embeddings, container.sessions, settings, risk_settings=rs)
        per_doc = []
        total = ScanReport(project_id="demo")
        for path in files:
            docs = _ingest(container, "demo", [(path.name, path.read_bytes())])
            with transaction(container.sessions) as session:
                project_id = projects.get_project(session, ref="demo").id
            for name, document_id in docs.items():
                report = scan_document(ctx, project_id=project_id, document_id=document_id, limit=None)
                total.add(report)
                row = {"document": name, **report.model_dump(exclude={"document_ids", "project_id"}),
                       "projected_idle_seconds": round(_projected(report), 1)}  # fmt: skip
                per_doc.append(row)
                print(f"{name[:44]:44} {report.seconds:7.1f} s (idle projection {row['projected_idle_seconds']}"
                      f" s) calls {report.llm_calls} tokens {report.prompt_tokens}+{report.completion_tokens} "
                      f"candidates {report.passages_with_cues}/{report.passages_seen} drafts "
                      f"{report.drafts_created} merges {report.merges} follow {report.follow_checked}/"
                      f"{report.follow_proposals} dropped {report.dropped_bad_quote}", flush=True)  # fmt: skip
        results["documents"] = per_doc
        results["scan_seconds"] = round(sum(r["seconds"] for r in per_doc), 1)  # type: ignore[misc]
        results["projected_idle_seconds"] = round(sum(r["projected_idle_seconds"] for r in per_doc), 1)  # type: ignore[misc]
        found: list[Found] = []
        with transaction(container.sessions) as session:
            project_id = projects.get_project(session, ref="demo").id
            for risk in repo.project_risks(session, project_id=project_id):
                for ev in repo.risk_evidence(session, risk_id=risk.id):
                    if ev.signal == "risk":
                        found.append(Found(ev.file_name or "", risk.ref, risk.title, ev.quote))
            results["follow"] = score_follow(session, project_id, follow_gold["resolutions"])
        gold = load_gold(DEMO_GOLD)
        results["found"] = [asdict(f) for f in found]
        results |= score_both(found, gold, container.embeddings, rs.match_threshold)
    finally:
        container.close()
    return results


def _projected(report: ScanReport) -> float:
    other = max(0.0, report.seconds - report.llm_seconds)
    return other + report.prompt_tokens / IDLE_PROMPT_TPS + report.completion_tokens / IDLE_OUTPUT_TPS


def _line(row: dict[str, object]) -> str:
    return (
        f"{row['document'][:48]:48} pages {row['pages']:>6} | {row['seconds']:>7.1f} s "
        f"({row['seconds_per_page']} s/page; idle projection {row['projected_idle_seconds']} s) | calls {row['llm_calls']} | tokens {row['prompt_tokens']}+"
        f"{row['completion_tokens']} | cues {row['passages_with_cues']}/{row['passages_seen']} sent "
        f"{row['passages_sent']} | drafts {row['drafts_created']} merges {row['merges']} "
        f"dropped {row['dropped_bad_quote']} dup {row['duplicates']} errors {len(row['errors'])} "  # type: ignore[arg-type]
        f"| load {row['load_average']}"
    )


def _print_score(s: dict[str, object], label: str = "per evidence quote") -> None:
    print(
        f"minutes vs gold, {label}: found {s['found']}, gold {s['gold']}, matched {s['matched']} "
        f"({s['matched_by_evidence']} by evidence) -> precision {s['precision']}, recall {s['recall']}, "
        f"F1 {s['f1']}"
    )
    for doc, v in s["per_document"].items():  # type: ignore[attr-defined]
        print(f"  {doc}: {v}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    cal = sub.add_parser("calibrate", help="measure the matching thresholds on labelled pairs")
    cal.add_argument("--pairs", type=Path, default=PAIRS)
    r = sub.add_parser("run", help="ingest, scan and score with the local LLM")
    r.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--timeout", type=float, default=900.0, help="seconds one LLM call may take")
    r.add_argument("--max-passages", type=int, default=None)
    r.add_argument("--batch-size", type=int, default=None)
    r.add_argument("--max-tokens", type=int, default=None)
    r.add_argument("--no-spec", action="store_true", help="leave out the 75-page PDF")
    r.add_argument("--no-target", action="store_true", help="leave out the 20-page cut")
    r.add_argument("--out", type=Path, default=None, help="write the full results as JSON")
    r.add_argument("--embed-weight", type=float, default=None, help="the embedder's share (0: rules only)")
    d = sub.add_parser("demo", help="the demo project in date order: recall, follow-ups, seconds")
    d.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    d.add_argument("--threads", type=int, default=2)
    d.add_argument("--timeout", type=float, default=900.0, help="seconds one LLM call may take")
    d.add_argument("--embed-weight", type=float, default=None, help="the embedder's share (0: rules only)")
    d.add_argument("--out", type=Path, default=None, help="write the full results as JSON")
    sc = sub.add_parser("score", help="score the found risks of a saved run again")
    sc.add_argument("--found", type=Path, required=True, help="JSON written by run --out or demo --out")
    sc.add_argument("--gold", type=Path, default=GOLD, help=f"default {GOLD.relative_to(REPO)}; the demo's: "
                    f"{DEMO_GOLD.relative_to(REPO)}")  # fmt: skip
    sc.add_argument("--threshold", type=float, default=None)
    args = ap.parse_args()

    settings: Settings = load_settings()
    if args.command == "calibrate":
        result = calibrate(make_embeddings(settings), args.pairs)
        for row in sorted(result.pop("rows"), key=lambda x: -x["similarity"]):  # type: ignore[attr-defined]
            mark = "same" if row["same"] else "diff"
            cat = "" if row["same_category"] else " (categories differ)"
            print(f"{row['similarity']:.3f} {mark}{cat}: {row['a']} | {row['b']}")
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    if args.command == "score":
        saved = json.loads(args.found.read_text(encoding="utf-8"))
        found = [Found(**f) for f in saved["found"]]
        threshold = args.threshold if args.threshold is not None else RiskSettings().match_threshold
        both = score_both(found, load_gold(args.gold), make_embeddings(settings), threshold)
        _print_score(both["score"])
        _print_score(both["score_by_risk"], "per risk")
        return
    if args.command == "demo":
        result = run_demo(args)
        print(
            f"demo: scans {result['scan_seconds']} s (idle projection {result['projected_idle_seconds']} s)"
        )
        _print_score(result["score"])  # type: ignore[arg-type]
        _print_score(result["score_by_risk"], "per risk")  # type: ignore[arg-type]
        follow = result["follow"]
        print(
            f"follow-ups: {follow['proposed_on_right_risk']} of {follow['expected']} proposed on the right risk "  # type: ignore[index]
            f"({follow['right_risk_and_change']} also with an expected change) "  # type: ignore[index]
            f"({follow['share']}); {follow['applied_without_a_person']} applied without a person; "  # type: ignore[index]
            f"statuses {follow['statuses']}"  # type: ignore[index]
        )
        if args.out:
            args.out.write_text(
                json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
            )
        return
    result = run(args)
    print(
        f"ingest {result['ingest_seconds']} s, LLM server start {result['llm_start_seconds']} s "
        f"(not counted in the scan times)"
    )
    _print_score(result["score"])  # type: ignore[arg-type]
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
