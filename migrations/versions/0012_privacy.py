"""Privacy and the data's life (§14): the audit log.

Revision ID: 0012_privacy
Revises: 0011_job_outbox
Create Date: 2026-12-02
"""
import os
import sys

import sqlalchemy as sa
from alembic import op

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import legacy_sql as h  # noqa: E402

revision = "0012_privacy"
down_revision = "0011_job_outbox"
branch_labels = None
depends_on = None


def upgrade():
    # A new, empty table; its accounts are SET NULL when an account is deleted (the line stays).
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(), nullable=False),
        sa.Column("at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["profiles.user_id"], ondelete="SET NULL",
                                name="fk_audit_log_actor_id_profiles"),
        sa.ForeignKeyConstraint(["owner_id"], ["profiles.user_id"], ondelete="SET NULL",
                                name="fk_audit_log_owner_id_profiles"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    # A new, empty table: nothing to lock out while its indexes are built.
    h.execute("CREATE INDEX ix_audit_log_actor_id ON audit_log (actor_id)", "require-concurrent-index-creation")
    h.execute("CREATE INDEX ix_audit_log_owner_id_id ON audit_log (owner_id, id)", "require-concurrent-index-creation")


def downgrade():
    op.drop_index("ix_audit_log_owner_id_id", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")
    op.drop_table("audit_log")
