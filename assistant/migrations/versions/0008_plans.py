"""integration plans: the plan with its body as JSON, its history and the redraft's suggestions

Revision ID: 0008_plans
Revises: 0007_auth
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_plans"
down_revision = "0007_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "project_id", sa.String(64), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("drafted", sa.JSON()),
        sa.Column("person_fields", sa.JSON(), nullable=False),
        sa.Column("five_why_ids", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.String(40)),
        sa.Column("draft_stats", sa.JSON()),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_plans_project_created", "plans", ["project_id", "created_at"])
    op.create_table(
        "plan_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(40), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("field", sa.String(60)),
        sa.Column("old_value", sa.Text()),
        sa.Column("new_value", sa.Text()),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_plan_history_plan_at", "plan_history", ["plan_id", "at"])
    op.create_index("ix_plan_history_project_id", "plan_history", ["project_id"])
    op.create_table(
        "plan_suggestions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(40), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(60), nullable=False),
        sa.Column("item_key", sa.String(300)),
        sa.Column("old_value", sa.JSON()),
        sa.Column("new_value", sa.JSON()),
        sa.Column("value_hash", sa.String(64), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_plan_suggestions_plan_id", "plan_suggestions", ["plan_id"])


def downgrade() -> None:
    op.drop_table("plan_suggestions")
    op.drop_table("plan_history")
    op.drop_table("plans")
