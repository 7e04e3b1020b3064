"""The demo project through ingestion, load_chunks and extract_facts, scored against the hand-written gold file
(bench/gold/plans_demo.json, read from demo/source/)."""

from __future__ import annotations

import json

from api.container import Container
from assistant.db import transaction
from assistant.plans.extract import extract_facts
from assistant.plans.sources import load_chunks
from assistant.projects import repository as projects
from bench.plans import GOLD, score
from ingest.pipeline import ingest_file
from tests.conftest import DEMO_DIR


def test_demo_plan_facts_meet_the_targets(container: Container) -> None:
    with transaction(container.sessions) as session:
        pid = projects.create_project(session, name="demo-plan").id
        other = projects.create_project(session, name="other").id
    files = sorted(p for p in DEMO_DIR.iterdir() if p.is_file())
    for f in files:
        ingest_file(container.ingestor, project_id=pid, file_name=f.name, data=f.read_bytes())
    ingest_file(container.ingestor, project_id=other, file_name="x.txt", data=b"IF-99 | CRM | ERP | REST")
    with transaction(container.sessions) as session:
        chunks = load_chunks(session, pid)
    # Every indexed document of the project (the mail's attachment too), no other project's chunk.
    assert {c.file_name for c in chunks} >= {f.name for f in files}
    assert all(c.file_name != "x.txt" for c in chunks)
    dated = [c.doc_date for c in chunks if c.doc_date]
    assert dated == sorted(dated)  # file order: by document date

    facts = extract_facts(chunks)
    result = score(facts, json.loads(GOLD.read_text(encoding="utf-8")), chunks)
    assert result["interface_recall"] >= 0.9 and result["interface_precision"] >= 0.8
    assert result["dates_right"] == 1.0, result["dates_wrong"]
    assert result["evidence_verbatim"] == 1.0
    assert result["conflicts_found"] == 1.0
    assert result["no_threshold_asked"] is True  # the demo states no rollback threshold; none is invented
    assert facts.cutover.rollback_triggers == []
