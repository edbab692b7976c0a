"""Accounts: verified emails (admin rights need one) and server-side login sessions.

Every existing profile starts unverified: its owner verifies by the link the profile page sends,
or by resetting the password through an emailed link (see the README).

Revision ID: 0006_accounts
Revises: 0005_stripe_events
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_accounts"
down_revision = "0005_stripe_events"
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column without a default: a catalogue change only, no table rewrite.
    op.add_column("profiles", sa.Column("email_verified_at", sa.DateTime(), nullable=True))
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["profiles.user_id"], name="fk_login_sessions_user_id_profiles",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_login_sessions"),
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])


def downgrade():
    op.drop_index("ix_login_sessions_user_id", table_name="login_sessions")
    op.drop_table("login_sessions")
    # SQLite (3.35 and later) drops a column in place, as PostgreSQL does: no table rebuild.
    op.drop_column("profiles", "email_verified_at")
