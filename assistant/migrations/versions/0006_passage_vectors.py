"""the rerank model's passage vectors, computed in the background after indexing

Revision ID: 0006_passage_vectors
Revises: 0005_background_tasks
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_passage_vectors"
down_revision = "0005_background_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passage_vectors",
        sa.Column("model", sa.String(80), primary_key=True),
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("passage_vectors")
