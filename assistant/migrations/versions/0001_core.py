"""projects, documents, chunks with the keyword index, ingestion jobs

Revision ID: 0001_core
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "project_id", sa.String(64), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("file_name", sa.String(1000), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(20), nullable=False),
        sa.Column("doc_type_overridden", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(10)),
        sa.Column("title", sa.Text()),
        sa.Column("doc_date", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("page_count", sa.Integer()),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("active_version", sa.String(80)),
        sa.Column("parent_id", sa.String(40), sa.ForeignKey("documents.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("project_id", "file_name", name="uq_documents_project_file"),
    )
    op.create_index("ix_documents_project_id", "documents", ["project_id"])
    op.create_index("ix_documents_parent_id", "documents", ["parent_id"])
    op.create_table(
        "chunks",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column(
            "document_id", sa.String(40), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer()),
        sa.Column("section", sa.Text()),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chunks_project_id", "chunks", ["project_id"])
    op.create_index("ix_chunks_document_version", "chunks", ["document_id", "version"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # Text is tokenised by jieba before it gets here, so unicode61 only has to split on spaces.
        op.execute(
            "CREATE VIRTUAL TABLE chunk_fts USING fts5("
            "tokens, chunk_id UNINDEXED, project_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
        )
    elif dialect == "postgresql":
        op.execute("CREATE INDEX ix_chunks_tokens_tsv ON chunks USING GIN (to_tsvector('simple', tokens))")
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "project_id", sa.String(64), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_jobs_project_id", "jobs", ["project_id"])
    op.create_table(
        "job_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(40), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("document_id", sa.String(40)),
        sa.Column("staged_path", sa.Text()),
        sa.Column("doc_type", sa.String(20)),
    )
    op.create_index("ix_job_files_job_id", "job_files", ["job_id"])


def downgrade() -> None:
    op.drop_table("job_files")
    op.drop_table("jobs")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE chunk_fts")
    op.drop_table("chunks")
    op.drop_table("documents")
    op.drop_table("projects")
