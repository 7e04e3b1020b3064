"""Migration 0005: the task table matches its model, and jobs left unfinished before it get their task."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text

import assistant.background.models  # noqa: F401  - the table under test
import assistant.index.passage_vectors  # noqa: F401
from assistant.db import MIGRATIONS_DIR, Base, make_engine


def upgrade(engine: object, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:  # type: ignore[attr-defined]
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_unfinished_jobs_get_their_task_and_the_table_matches_the_model(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    upgrade(engine, "0004_chunk_bigrams")
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO projects (id, name, created_at) VALUES ('p', 'p', :t)"), {"t": now})
        for job_id, status in (("job_a", "queued"), ("job_b", "running"), ("job_c", "done")):
            conn.execute(
                text(
                    "INSERT INTO jobs (id, project_id, kind, status, created_at) VALUES (:i, 'p', 'ingest', :s, :t)"
                ),
                {"i": job_id, "s": status, "t": now},
            )
    upgrade(engine, "head")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT queue, name, key, status FROM background_tasks ORDER BY id")).all()
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert [tuple(r) for r in rows] == [
        ("ingest", "ingest_job", "job_a", "queued"),
        ("ingest", "ingest_job", "job_b", "queued"),
    ]
    ours = [d for d in diffs if "background_tasks" in repr(d) or "passage_vectors" in repr(d)]
    assert ours == []
    engine.dispose()
