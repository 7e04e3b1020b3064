"""Chinese character pairs of every chunk, and a second keyword index over them

Revision ID: 0004_chunk_bigrams
Revises: 0003_analyses

Existing chunks are filled in from their text, so a database indexed before this revision searches the same
way as one indexed after it, without re-ingesting anything.
"""

import sqlalchemy as sa
from alembic import op

from assistant.text import hanzi_bigrams

revision = "0004_chunk_bigrams"
down_revision = "0003_analyses"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    op.add_column("chunks", sa.Column("bigrams", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE chunk_bigram_fts USING fts5("
            "bigrams, chunk_id UNINDEXED, project_id UNINDEXED, tokenize='unicode61')"
        )
    last = ""
    # Page by id rather than load every chunk's text at once: a large database would not fit in memory.
    while rows := bind.execute(
        sa.text("SELECT id, project_id, text FROM chunks WHERE id > :last ORDER BY id LIMIT :n"),
        {"last": last, "n": _BATCH},
    ).fetchall():
        last = rows[-1][0]
        batch = [
            {"id": cid, "project_id": pid, "bigrams": pairs}
            for cid, pid, body in rows
            if (pairs := " ".join(hanzi_bigrams(body or "")))
        ]
        if not batch:
            continue
        bind.execute(sa.text("UPDATE chunks SET bigrams = :bigrams WHERE id = :id"), batch)
        if sqlite:
            bind.execute(
                sa.text(
                    "INSERT INTO chunk_bigram_fts (bigrams, chunk_id, project_id) "
                    "VALUES (:bigrams, :id, :project_id)"
                ),
                batch,
            )
    if not sqlite:
        op.execute("CREATE INDEX ix_chunks_bigrams_tsv ON chunks USING GIN (to_tsvector('simple', bigrams))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE chunk_bigram_fts")
    else:
        op.execute("DROP INDEX ix_chunks_bigrams_tsv")
    with op.batch_alter_table("chunks") as batch:
        batch.drop_column("bigrams")
