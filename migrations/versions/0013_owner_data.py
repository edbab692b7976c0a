"""The owner's data and redaction (§14): chat_instances.redaction, the owner's archives, the record of deleted organisations.

Revision ID: 0013_owner_data
Revises: 0012_privacy
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0013_owner_data"
down_revision = "0012_privacy"
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column without a default: no table rewrite on PostgreSQL, an in-place ADD COLUMN on SQLite.
    op.add_column("chat_instances", sa.Column("redaction", sa.Text(), nullable=True))
    # Two new, empty tables. An archive goes with its account (ON DELETE CASCADE); the record of a
    # deletion names no account, so it has no key to one.
    op.create_table(
        "owner_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("ready_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["profiles.user_id"], ondelete="CASCADE",
                                name="fk_owner_exports_user_id_profiles"),
        sa.PrimaryKeyConstraint("id", name="pk_owner_exports"),
    )
    # A new, empty table: nothing to lock out while its index is built.
    h.execute("CREATE INDEX ix_owner_exports_user_id ON owner_exports (user_id)", "require-concurrent-index-creation")
    op.create_table(
        "organisation_deletions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("instances", sa.Integer(), server_default="0", nullable=False),
        sa.Column("responses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("subscription_cancelled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisation_deletions"),
    )


def downgrade():
    op.drop_table("organisation_deletions")
    op.drop_index("ix_owner_exports_user_id", table_name="owner_exports")
    op.drop_table("owner_exports")
    op.drop_column("chat_instances", "redaction")  # SQLite 3.35+ drops a plain column in place
