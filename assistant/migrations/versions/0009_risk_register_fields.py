"""risk register: 识别日期, 计划关闭日期, affected WBS/milestones on risks; document date and signal on evidence

Revision ID: 0009_risk_register_fields
Revises: 0008_plans
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_risk_register_fields"
down_revision = "0008_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risks") as batch:
        batch.add_column(sa.Column("identified_on", sa.Date()))
        batch.add_column(sa.Column("planned_close", sa.Date()))
        batch.add_column(sa.Column("affected", sa.Text()))
    with op.batch_alter_table("risk_evidence") as batch:
        batch.add_column(sa.Column("document_date", sa.Date()))
        batch.add_column(sa.Column("signal", sa.String(20), nullable=False, server_default="risk"))


def downgrade() -> None:
    with op.batch_alter_table("risk_evidence") as batch:
        batch.drop_column("signal")
        batch.drop_column("document_date")
    with op.batch_alter_table("risks") as batch:
        batch.drop_column("affected")
        batch.drop_column("planned_close")
        batch.drop_column("identified_on")
