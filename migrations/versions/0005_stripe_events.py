"""Stripe: processed events (each webhook event id applied once); profiles found by their customer id.

Revision ID: 0005_stripe_events
Revises: 0004_chat_responses
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0005_stripe_events"
down_revision = "0004_chat_responses"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("stripe_customer_id", sa.Text(), nullable=True),
        sa.Column("event_created", sa.BigInteger(), nullable=True),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stripe_events"),
    )
    op.create_index("ix_stripe_events_stripe_customer_id_event_created", "stripe_events",
                    ["stripe_customer_id", "event_created"])
    # Every webhook event finds its profile by Stripe customer id. CONCURRENTLY cannot run in the
    # upgrade's transaction; during the maintenance window nothing else uses the table.
    h.execute("CREATE INDEX ix_profiles_stripe_customer_id ON profiles (stripe_customer_id)",
              "require-concurrent-index-creation")


def downgrade():
    op.drop_index("ix_profiles_stripe_customer_id", table_name="profiles")
    op.drop_index("ix_stripe_events_stripe_customer_id_event_created", table_name="stripe_events")
    op.drop_table("stripe_events")
