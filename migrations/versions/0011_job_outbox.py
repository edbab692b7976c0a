"""The job queue in the app's database (§12): the jobs table (an outbox written with each change) and the effects' claims.

Revision ID: 0011_job_outbox
Revises: 0010_question_records
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0011_job_outbox"
down_revision = "0010_question_records"
branch_labels = None
depends_on = None


def upgrade():
    # Two new, empty tables: no lock on any existing one, no backfill.
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="waiting", nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("retry_delay", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("leased_by", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    # New, empty tables: nothing to lock out while their indexes are built.
    h.execute("CREATE INDEX ix_jobs_status_run_at ON jobs (status, run_at)", "require-concurrent-index-creation")
    h.execute("CREATE UNIQUE INDEX ix_jobs_key ON jobs (key)", "require-concurrent-index-creation")
    op.create_table(
        "job_claims",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_job_claims"),
    )


def downgrade():
    op.drop_table("job_claims")
    op.drop_index("ix_jobs_key", table_name="jobs")
    op.drop_index("ix_jobs_status_run_at", table_name="jobs")
    op.drop_table("jobs")
