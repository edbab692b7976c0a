"""Insight and integrations (§11): summaries, themes, per-question reach, notifications, webhook deliveries.

Revision ID: 0009_insights
Revises: 0008_accounting
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0009_insights"
down_revision = "0008_accounting"
branch_labels = None
depends_on = None

# Nullable columns without a default, or NOT NULL with a constant default: no table rewrite on
# PostgreSQL 11+, an in-place ADD COLUMN on SQLite.
NEW_COLUMNS = {
    "profiles": [
        sa.Column("notify_mode", sa.Text(), server_default="off", nullable=False),
        sa.Column("quota_notice_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("digest_sent_at", sa.DateTime(), nullable=True),
    ],
    "chat_instances": [
        sa.Column("themes", sa.Text(), nullable=True),
        sa.Column("webhook_url", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
    ],
    "chat_responses": [
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("questions_reached", sa.Integer(), nullable=True),
        sa.Column("questions_answered", sa.Integer(), nullable=True),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
    ],
}


def upgrade():
    for table, columns in NEW_COLUMNS.items():
        for column in columns:
            op.add_column(table, column)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("chat_instance_id", sa.Uuid(), nullable=False),
        sa.Column("chat_response_id", sa.Uuid(), nullable=True),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["chat_instance_id"], ["chat_instances.id"], ondelete="CASCADE",
                                name="fk_webhook_deliveries_chat_instance_id_chat_instances"),
        sa.ForeignKeyConstraint(["chat_response_id"], ["chat_responses.id"], ondelete="SET NULL",
                                name="fk_webhook_deliveries_chat_response_id_chat_responses"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("chat_response_id", "event", name="uq_webhook_deliveries_chat_response_id_event"),
    )
    # A new, empty table: nothing to lock out while its indexes are built.
    h.execute("CREATE INDEX ix_webhook_deliveries_chat_instance_id_created_at "
              "ON webhook_deliveries (chat_instance_id, created_at)", "require-concurrent-index-creation")
    h.execute("CREATE INDEX ix_webhook_deliveries_chat_response_id ON webhook_deliveries (chat_response_id)",
              "require-concurrent-index-creation")
    backfill_reach()


def backfill_reach():
    """Reach and answers of the interviews so far, from their `completion_status` ("answered/total").

    The agent asks the guide in order and moves on only after an answer, so an interview that
    answered n questions reached n + 1 of them, unless it completed (it reached them all, n = total).
    Rows without a readable status (imported interviews) keep NULL and are left out of coverage.
    """
    if h.imported_this_run():
        # Every response is an interview the import (0004) wrote without a completion_status: none to read.
        return
    h.progress("chat_responses: questions reached and answered, from completion_status")
    if h.dialect() == "postgresql":
        answered = "split_part(completion_status, '/', 1)::integer"
        total = "split_part(completion_status, '/', 2)::integer"
        readable = "completion_status ~ '^[0-9]{1,6}/[0-9]{1,6}$'"
    else:
        answered = "CAST(substr(completion_status, 1, instr(completion_status, '/') - 1) AS INTEGER)"
        total = "CAST(substr(completion_status, instr(completion_status, '/') + 1) AS INTEGER)"
        readable = ("completion_status GLOB '[0-9]*/[0-9]*' AND completion_status NOT GLOB '*[^0-9/]*' "
                    "AND length(completion_status) <= 13")
    # The WHERE runs before the SET, so the casts only ever see readable statuses.
    op.execute(f"UPDATE chat_responses SET questions_answered = {answered}, questions_reached = CASE "
               f"WHEN status = 'completed' OR {answered} >= {total} THEN {total} ELSE {answered} + 1 END "
               f"WHERE completion_status IS NOT NULL AND {readable}")


def downgrade():
    op.drop_table("webhook_deliveries")
    for table, columns in reversed(list(NEW_COLUMNS.items())):
        for column in reversed(columns):
            op.drop_column(table, column.name)  # SQLite 3.35+ drops a plain column in place
