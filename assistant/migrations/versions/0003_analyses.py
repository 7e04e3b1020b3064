"""requirements found in documents, 5-Why analyses

Revision ID: 0003_analyses
Revises: 0002_risks
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_analyses"
down_revision = "0002_risks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requirements",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "project_id", sa.String(64), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id", ondelete="CASCADE")),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(100)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("quality_class", sa.String(40)),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("rewrite", sa.Text(), nullable=False),
        sa.Column("acceptance_criteria", sa.JSON(), nullable=False),
        sa.Column("page", sa.Integer()),
        sa.Column("section", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_requirements_project_id", "requirements", ["project_id"])
    op.create_index("ix_requirements_document_id", "requirements", ["document_id"])
    op.create_table(
        "five_why_analyses",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "project_id", sa.String(64), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("context", sa.Text()),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_five_why_analyses_project_id", "five_why_analyses", ["project_id"])


def downgrade() -> None:
    op.drop_table("five_why_analyses")
    op.drop_table("requirements")
