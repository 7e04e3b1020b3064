from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from api.container import Container
from assistant.db import MIGRATIONS_DIR, transaction
from assistant.index import chunks as chunk_store


def _migrate(container: Container, action: Callable[[Config, str], None], revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with container.sessions.kw["bind"].begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg, revision)


def test_upgrade_fills_the_character_pairs_of_chunks_indexed_before_it(
    container: Container, project: str
) -> None:
    """A database indexed before 0004 must search Chinese by character pairs at once, without re-ingesting."""
    _migrate(container, command.downgrade, "0003_analyses")
    with container.sessions.kw["bind"].connect() as conn:
        assert "bigrams" not in {c["name"] for c in inspect(conn).get_columns("chunks")}
    _migrate(container, command.upgrade, "head")
    with transaction(container.sessions) as session:
        hits = chunk_store.bigram_search(session, project_id=project, query="联调计划", k=5)
        english = chunk_store.bigram_search(session, project_id=project, query="work orders", k=5)
    assert hits, "the meeting notes' pairs were not indexed"
    with transaction(container.sessions) as session:
        top = chunk_store.visible_chunks(session, chunk_ids=[hits[0].chunk_id])[hits[0].chunk_id]
        assert "联调" in top.text and "联调" in top.bigrams.split()
    assert english == []
