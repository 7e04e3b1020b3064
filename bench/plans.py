"""Plan-fact benchmark on the demo project: what the deterministic reader finds against a hand-written gold file.

    .venv/bin/python -m bench.plans            # ingest demo/project into a temporary data dir, extract, score
    .venv/bin/python -m bench.plans --json     # the same, the scores as JSON
    .venv/bin/python -m bench.plans --draft    # draft the whole plan with the configured model (default: the
                                               # embedded one): seconds, LLM calls, tokens, the plan's scores

The demo's files go through the product's ingestion (the same readers and splitter as an upload; the fake
embedder, since the chunk text does not depend on it), ``load_chunks`` reads them back as the plan drafting
does, and ``extract_facts`` reads the plan facts. Printed: interface recall and precision against
bench/gold/plans_demo.json (written by reading demo/source/), the share of gold phase and milestone dates the
facts get right, gold conflicts found, gray-release stage dates right, rollback thresholds found, the share of
evidence quotes that are verbatim in their chunk, and the seconds extraction took.

``score(facts, gold, chunks=None)`` works on any object with the fields of ``PlanFacts`` or ``PlanContent``
(interfaces, phases with milestones, cutover, conflicts, open_questions), so a drafted plan scores the same way.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.plans.extract.protocols import families
from assistant.plans.extract.systems import system_key
from assistant.plans.facts import Evidence, Interface, Milestone, PlanContent, PlanFacts, SourceChunk

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "bench" / "gold" / "plans_demo.json"
DEMO = REPO / "demo" / "project"


def _matches(name: str, words: Iterable[str]) -> bool:
    lowered = name.casefold()
    return any(w.casefold() in lowered for w in words)


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def _milestones(facts: PlanFacts | PlanContent) -> list[Milestone]:
    return [m for p in facts.phases for m in p.milestones] + list(getattr(facts, "milestones", []))


def _score_interfaces(facts: PlanFacts | PlanContent, gold: dict[str, Any]) -> dict[str, Any]:
    found = list(facts.interfaces)
    matched: dict[str, Interface] = {}
    used: set[int] = set()
    for g in gold["interfaces"]:
        for i, f in enumerate(found):
            if i not in used and f.id.casefold() == g["id"].casefold():
                matched[g["id"]] = f
                used.add(i)
                break
    for g in gold["interfaces"]:  # a generated id matches a gold interface by its systems and protocol
        if g["id"] in matched:
            continue
        for i, f in enumerate(found):
            pair = {system_key(f.source or ""), system_key(f.target or "")}
            same_pair = pair == {system_key(g["source"]), system_key(g["target"])}
            if i not in used and same_pair and g["protocol"] in families(f.protocol or ""):
                matched[g["id"]] = f
                used.add(i)
                break
    fields_right = 0
    details = {}
    for g in gold["interfaces"]:
        found_one = matched.get(g["id"])
        if found_one is None:
            details[g["id"]] = "missing"
            continue
        f = found_one
        ok = (
            system_key(f.source or "") == system_key(g["source"])
            and system_key(f.target or "") == system_key(g["target"])
            and g["protocol"]
            in [p.strip() for p in (f.protocol or "").split("/")] + families(f.protocol or "")
        )
        fields_right += ok
        details[g["id"]] = "right" if ok else f"fields: {f.source} -> {f.target} {f.protocol}"
    return {
        "interface_recall": _share(len(matched), len(gold["interfaces"])),
        "interface_precision": _share(len(used), len(found)),
        "interface_fields_right": _share(fields_right, len(gold["interfaces"])),
        "interfaces_found": len(found),
        "extra_interfaces": [f.id for i, f in enumerate(found) if i not in used],
        "interface_details": details,
    }


def _score_dates(facts: PlanFacts | PlanContent, gold: dict[str, Any]) -> dict[str, Any]:
    wrong: list[str] = []
    right = 0
    for g in gold["phases"]:
        phases = [p for p in facts.phases if _matches(p.name, g["match"])]
        start = g["start"]
        ok = bool(phases) and all(
            (p.start.isoformat() if p.start else None) in (start, None if start is None else start)
            and (p.end.isoformat() if p.end else None) == g["end"]
            for p in phases
        )
        right += ok
        if not ok:
            wrong.append(f"phase {g['match'][0]}: {[(p.name, p.start, p.end) for p in phases] or 'missing'}")
    milestones = _milestones(facts)
    for g in gold["milestones"]:
        found = [m for m in milestones if _matches(m.name, g["match"])]
        ok = bool(found) and all(m.date is not None and m.date.isoformat() == g["date"] for m in found)
        right += ok
        if not ok:
            wrong.append(f"milestone {g['what']}: {[(m.name, m.date) for m in found] or 'missing'}")
    total = len(gold["phases"]) + len(gold["milestones"])
    return {"dates_right": _share(right, total), "dates_total": total, "dates_wrong": wrong}


def _score_conflicts(facts: PlanFacts | PlanContent, gold: dict[str, Any]) -> dict[str, Any]:
    hits = 0
    for g in gold["conflicts"]:
        for c in facts.conflicts:
            values = {v.value for v in c.values}
            if _matches(c.field, g["match"]) and set(g["values"]) <= values and c.chosen == g["chosen"]:
                hits += 1
                break
    return {"conflicts_found": _share(hits, len(gold["conflicts"])), "conflicts_listed": len(facts.conflicts)}


def _score_cutover(facts: PlanFacts | PlanContent, gold: dict[str, Any]) -> dict[str, Any]:
    stages = facts.cutover.stages
    right = sum(
        any(
            _matches(s.name, g["match"]) and s.date is not None and s.date.isoformat() == g["date"]
            for s in stages
        )
        for g in gold["cutover_stages"]
    )
    thresholds = [t.threshold or "" for t in facts.cutover.rollback_triggers]
    found = sum(any(g in t for t in thresholds) for g in gold["rollback_thresholds"])
    asked = any(_matches(q.question, ["rollback", "回滚"]) for q in facts.open_questions)
    return {
        "stage_dates_right": _share(right, len(gold["cutover_stages"])),
        "rollback_thresholds_found": _share(found, len(gold["rollback_thresholds"])),
        "rollback_triggers_listed": len(thresholds),
        "no_threshold_asked": asked if not gold["rollback_thresholds"] else None,
    }


def evidence_of(obj: object) -> list[Evidence]:
    """Every Evidence inside a facts or plan object."""
    out: list[Evidence] = []
    if isinstance(obj, Evidence):
        out.append(obj)
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            out.extend(evidence_of(getattr(obj, name)))
    elif isinstance(obj, list):
        for item in obj:
            out.extend(evidence_of(item))
    return out


def verbatim_share(facts: BaseModel, chunks: Sequence[SourceChunk]) -> tuple[float | None, int]:
    """(share of evidence quotes found verbatim in the chunk they name, number of quotes)."""
    by_id = {c.chunk_id: c.text for c in chunks}
    quotes = evidence_of(facts)
    ok = sum(bool(e.chunk_id and e.quote and e.quote in by_id.get(e.chunk_id, "")) for e in quotes)
    return _share(ok, len(quotes)), len(quotes)


def score(
    facts: PlanFacts | PlanContent, gold: dict[str, Any], chunks: Sequence[SourceChunk] | None = None
) -> dict[str, Any]:
    out = {
        **_score_interfaces(facts, gold),
        **_score_dates(facts, gold),
        **_score_conflicts(facts, gold),
        **_score_cutover(facts, gold),
    }
    if chunks is not None:
        out["evidence_verbatim"], out["evidence_quotes"] = verbatim_share(facts, chunks)
    return out


def demo_chunks(documents: Path = DEMO) -> list[SourceChunk]:
    """The demo project ingested into a temporary data directory and read back as the drafting reads it."""
    from api.container import Container
    from assistant.db import transaction
    from assistant.plans.sources import load_chunks
    from assistant.projects import repository as projects
    from assistant.providers.embeddings import HashingEmbeddings
    from assistant.settings import load_settings
    from ingest.pipeline import ingest_file

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            data_dir=Path(tmp) / "data",
            cache_dir=Path(tmp) / "cache",
            embeddings_provider="fake",
            llm_provider="fake",
            risk_auto_scan=False,
            _env_file=None,
        )
        container = Container(settings, embeddings=HashingEmbeddings())
        try:
            with transaction(container.sessions) as session:
                pid = projects.create_project(session, name="plans-bench").id
            for f in sorted(p for p in documents.iterdir() if p.is_file()):
                ingest_file(container.ingestor, project_id=pid, file_name=f.name, data=f.read_bytes())
            with transaction(container.sessions) as session:
                return load_chunks(session, pid)
        finally:
            container.close()


def draft_demo(documents: Path = DEMO) -> tuple[dict[str, Any], PlanContent, list[SourceChunk]]:
    """The demo project ingested into a temporary data directory (fake embedder: the chunks and requirements
    do not depend on it) and drafted whole by the plans service with the model the ASSISTANT_LLM_* settings
    name (the embedded one by default), as the API's job does. Returns the draft's figures, the plan's body and
    the chunks it read; the model's start-up is timed apart from the draft."""
    from api.container import Container
    from api.routes.plans import draft_context, register_drafting
    from assistant.db import transaction
    from assistant.plans import service
    from assistant.plans.schemas import PlanCreate
    from assistant.plans.sources import load_chunks
    from assistant.projects import repository as projects
    from assistant.providers.embeddings import HashingEmbeddings
    from assistant.settings import load_settings
    from ingest.pipeline import ingest_file

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            data_dir=Path(tmp) / "data", embeddings_provider="fake", risk_auto_scan=False
        )
        container = Container(settings, embeddings=HashingEmbeddings())
        try:
            with transaction(container.sessions) as session:
                pid = projects.create_project(session, name="plans-draft-bench").id
            for f in sorted(p for p in documents.iterdir() if p.is_file()):
                ingest_file(container.ingestor, project_id=pid, file_name=f.name, data=f.read_bytes())
            register_drafting(container)
            t0 = time.perf_counter()
            container.chat_model  # noqa: B018 - the embedded model starts here, timed apart from the draft
            model_start_s = time.perf_counter() - t0
            accepted = service.request_draft(
                container.sessions,
                container.background,
                project_id=pid,
                data=PlanCreate(),
                actor="bench",
                ensure_model=lambda: container.chat_model,
            )
            t1 = time.perf_counter()
            service.run_draft(draft_context(container), plan_id=accepted.plan_id, job_id=accepted.job_id)
            wall_s = time.perf_counter() - t1
            with transaction(container.sessions) as session:
                plan = service.get_plan(session, project_id=pid, plan_id=accepted.plan_id)
                chunks = load_chunks(session, pid)
        finally:
            container.close()
    stats = plan.draft_stats
    figures = {
        "model": f"{settings.llm.provider.value}:{settings.llm.model}",
        "model_start_seconds": round(model_start_s, 1),
        "draft_seconds": round(wall_s, 1),
        "llm_calls": stats.llm_calls if stats else None,
        "prompt_tokens": stats.prompt_tokens if stats else None,
        "completion_tokens": stats.completion_tokens if stats else None,
        "tests": len(plan.tests),
        "tests_with_acceptance": sum(bool(t.acceptance) for t in plan.tests),
        "open_questions": len(plan.open_questions),
        "rollback_procedure_proposed": plan.cutover.rollback_procedure_proposed,
    }
    return figures, PlanContent.model_validate(plan.model_dump(include=set(PlanContent.model_fields))), chunks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument(
        "--draft", action="store_true", help="draft the whole plan with the configured model and score it"
    )
    args = parser.parse_args()
    if args.draft:
        gold = json.loads(GOLD.read_text(encoding="utf-8"))
        figures, content, chunks = draft_demo()
        drafted = figures | score(content, gold, chunks)
        if args.json:
            print(json.dumps(drafted, ensure_ascii=False, indent=2, default=str))
            return
        for name in (
            "model", "model_start_seconds", "draft_seconds", "llm_calls", "prompt_tokens", "completion_tokens",
            "tests", "tests_with_acceptance", "open_questions", "rollback_procedure_proposed",
            "interface_recall", "interface_precision", "dates_right", "evidence_verbatim", "evidence_quotes",
        ):  # fmt: skip
            print(f"{name:42} {drafted[name]!s:>16}")
        return
    from assistant.plans.extract import extract_facts

    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    chunks = demo_chunks()
    ingest_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    facts = extract_facts(chunks)
    seconds = time.perf_counter() - t1
    result = score(facts, gold, chunks) | {
        "chunks": len(chunks),
        "extract_seconds": round(seconds, 2),
        "ingest_seconds": round(ingest_s, 1),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    rows = [
        ("interface recall", result["interface_recall"], ">= 0.9"),
        ("interface precision", result["interface_precision"], ">= 0.8"),
        ("interface source/target/protocol right", result["interface_fields_right"], ""),
        ("phase and milestone dates right", result["dates_right"], "1.0"),
        ("gold conflicts found", result["conflicts_found"], ""),
        ("gray-release stage dates right", result["stage_dates_right"], ""),
        ("rollback thresholds found", result["rollback_thresholds_found"] or "n/a (none stated)", ""),
        ("  ... and an open question says so", result["no_threshold_asked"], ""),
        ("evidence quotes verbatim", f"{result['evidence_verbatim']} of {result['evidence_quotes']}", "1.0"),
        ("extraction seconds", result["extract_seconds"], f"{result['chunks']} chunks"),
    ]
    for name, value, target in rows:
        print(f"{name:42} {value!s:>16}  {target}")
    for line in result["dates_wrong"] + [f"extra interface {i}" for i in result["extra_interfaces"]]:
        print("  -", re.sub(r"\s+", " ", line))


if __name__ == "__main__":
    main()
