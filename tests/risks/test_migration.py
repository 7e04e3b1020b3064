from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker

import assistant.documents.models  # noqa: F401  - tables the register refers to
import assistant.projects.models  # noqa: F401
import assistant.risks.models  # noqa: F401  - the tables under test
from assistant.db import MIGRATIONS_DIR, Base

RISK_TABLES = {
    "risk_counters",
    "risks",
    "risk_evidence",
    "risk_actions",
    "risk_history",
    "risk_scanned_passages",
    "risk_notifications",
}


def _table_of(diff: tuple) -> str | None:  # type: ignore[type-arg]
    """The table an Alembic autogenerate difference is about."""
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return str(diff[1].name)
    if kind in ("add_column", "remove_column") or kind.startswith("modify_"):
        return str(diff[2])
    return str(diff[1].table.name)  # indexes, constraints, foreign keys


def test_models_and_migration_agree(sessions: sessionmaker[Session]) -> None:
    """Tables come only from migrations: a model drifting from 0002_risks would break on a real database."""
    engine = sessions.kw["bind"]
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= RISK_TABLES
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    flat = [d for group in diffs for d in (group if isinstance(group, list) else [group])]
    ours = [d for d in flat if _table_of(d) in RISK_TABLES]
    assert ours == []


def test_downgrade_removes_the_register_and_upgrade_restores_it(sessions: sessionmaker[Session]) -> None:
    engine = sessions.kw["bind"]
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001_core")
    with engine.connect() as conn:
        assert not RISK_TABLES & set(inspect(conn).get_table_names())
        assert "projects" in inspect(conn).get_table_names()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_risks")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= RISK_TABLES
