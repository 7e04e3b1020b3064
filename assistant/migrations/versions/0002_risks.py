"""risk register: risks, evidence, mitigation actions, history, id counters, scan marks, webhook outbox

Revision ID: 0002_risks
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_risks"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_counters",
        sa.Column(
            "project_id", sa.String(64), sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    op.create_table(
        "risks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "project_id", sa.String(64), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("cause", sa.Text()),
        sa.Column("event", sa.Text()),
        sa.Column("effect", sa.Text()),
        sa.Column("risk_type", sa.String(20), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("residual_probability", sa.Integer()),
        sa.Column("residual_impact", sa.Integer()),
        sa.Column("owner", sa.String(200)),
        sa.Column("response", sa.String(20)),
        sa.Column("contingency", sa.Text()),
        sa.Column("contingency_trigger", sa.Text()),
        sa.Column("next_review", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("confidence", sa.Float()),
        sa.Column("person_fields", sa.JSON(), nullable=False),
        sa.Column("linked_requirements", sa.JSON(), nullable=False),
        sa.Column("linked_interfaces", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("project_id", "number", name="uq_risks_project_number"),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name="ck_risks_probability"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="ck_risks_impact"),
        sa.CheckConstraint("residual_probability BETWEEN 1 AND 5", name="ck_risks_residual_probability"),
        sa.CheckConstraint("residual_impact BETWEEN 1 AND 5", name="ck_risks_residual_impact"),
    )
    op.create_index("ix_risks_project_status", "risks", ["project_id", "status"])
    op.create_table(
        "risk_evidence",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("risk_id", sa.Integer(), sa.ForeignKey("risks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        # No foreign key: evidence outlives the document it quotes.
        sa.Column("document_id", sa.String(40)),
        sa.Column("file_name", sa.String(1000)),
        sa.Column("chunk_id", sa.String(120)),
        sa.Column("page", sa.Integer()),
        sa.Column("section", sa.Text()),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("quote_hash", sa.String(64), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("risk_id", "document_id", "quote_hash", name="uq_risk_evidence_quote"),
    )
    op.create_index("ix_risk_evidence_risk_id", "risk_evidence", ["risk_id"])
    op.create_index("ix_risk_evidence_project_document", "risk_evidence", ["project_id", "document_id"])
    op.create_table(
        "risk_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("risk_id", sa.Integer(), sa.ForeignKey("risks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200)),
        sa.Column("due_date", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_risk_actions_risk_id", "risk_actions", ["risk_id"])
    op.create_table(
        "risk_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("risk_id", sa.Integer(), sa.ForeignKey("risks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("field", sa.String(60)),
        sa.Column("old_value", sa.Text()),
        sa.Column("new_value", sa.Text()),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_risk_history_risk_at", "risk_history", ["risk_id", "at"])
    op.create_index("ix_risk_history_project_id", "risk_history", ["project_id"])
    op.create_table(
        "risk_scanned_passages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column(
            "document_id", sa.String(40), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("passage_hash", sa.String(64), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "document_id", "passage_hash", name="uq_risk_scanned_passage"),
    )
    op.create_index("ix_risk_scanned_passages_document_id", "risk_scanned_passages", ["document_id"])
    op.create_table(
        "risk_notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("risk_id", sa.Integer(), sa.ForeignKey("risks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_risk_notifications_risk_id", "risk_notifications", ["risk_id"])
    op.create_index("ix_risk_notifications_status", "risk_notifications", ["status", "project_id"])


def downgrade() -> None:
    op.drop_table("risk_notifications")
    op.drop_table("risk_scanned_passages")
    op.drop_table("risk_history")
    op.drop_table("risk_actions")
    op.drop_table("risk_evidence")
    op.drop_table("risks")
    op.drop_table("risk_counters")
