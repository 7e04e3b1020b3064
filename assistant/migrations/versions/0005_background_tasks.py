"""background tasks: the one persisted work queue of ingestion jobs and risk scans

Revision ID: 0005_background_tasks
Revises: 0004_chunk_bigrams

Ingestion jobs that were queued or running before this revision get their task, so they are resumed at the
next start as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_background_tasks"
down_revision = "0004_chunk_bigrams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tasks = op.create_table(
        "background_tasks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("queue", sa.String(40), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("key", sa.String(200)),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("done", sa.Integer()),
        sa.Column("total", sa.Integer()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_background_tasks_queue_status", "background_tasks", ["queue", "status"])
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    bind = op.get_bind()
    unfinished = bind.execute(
        sa.select(jobs.c.id, jobs.c.created_at)
        .where(jobs.c.status.in_(["queued", "running"]))
        .order_by(jobs.c.created_at)
    ).all()
    if unfinished:
        op.bulk_insert(
            tasks,
            [
                {
                    "queue": "ingest",
                    "name": "ingest_job",
                    "key": job_id,
                    "payload": {"job_id": job_id},
                    "status": "queued",
                    "attempts": 0,
                    "created_at": created_at,
                }
                for job_id, created_at in unfinished
            ],
        )


def downgrade() -> None:
    op.drop_table("background_tasks")
