"""Privacy and the data's life (§14): the audit log, the privacy notice, consent, retention, complete deletion.

- `audit_log`: who did what to whose data (no personal data in it).
- `chat_instances`: `privacy_notice` (Markdown), `privacy_notice_version`, `retention_days`.
- `chat_responses`: `consent_notice_version`, `consented_at`.
- `webhook_deliveries.chat_response_id`: ON DELETE SET NULL becomes CASCADE, so a deleted response's
  delivery bodies (its transcript as sent) go with it.

Revision ID: 0012_privacy
Revises: 0011_job_outbox
Create Date: 2026-12-02
"""
import warnings

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0012_privacy"
down_revision = "0011_job_outbox"
branch_labels = None
depends_on = None

# Nullable columns, or NOT NULL with a constant default: no table rewrite on PostgreSQL 11+, an
# in-place ADD COLUMN on SQLite.
NEW_COLUMNS = {
    "chat_instances": [
        sa.Column("privacy_notice", sa.Text(), nullable=True),
        sa.Column("privacy_notice_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
    ],
    "chat_responses": [
        sa.Column("consent_notice_version", sa.Integer(), nullable=True),
        sa.Column("consented_at", sa.DateTime(), nullable=True),
    ],
}
DELIVERY_FK = "fk_webhook_deliveries_chat_response_id_chat_responses"


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
    for table, columns in NEW_COLUMNS.items():
        for column in columns:
            op.add_column(table, column)
    delivery_bodies_follow_their_response("CASCADE")


def delivery_bodies_follow_their_response(rule: str) -> None:
    """Re-create the deliveries' foreign key to their response with ON DELETE `rule`."""
    if h.dialect() == "postgresql":
        # The same key with another ON DELETE rule, in the same transaction: no guarantee is lost.
        h.execute(f"ALTER TABLE webhook_deliveries DROP CONSTRAINT {DELIVERY_FK}", "ban-drop-constraint")
        h.execute(f"ALTER TABLE webhook_deliveries ADD CONSTRAINT {DELIVERY_FK} FOREIGN KEY (chat_response_id) "
                  f"REFERENCES chat_responses (id) ON DELETE {rule} NOT VALID")
        # The upgrade is one transaction (README); the rows were checked by the key just dropped, and the
        # delivery log is small (one row per completed response with a webhook): a short validation.
        h.execute(f"ALTER TABLE webhook_deliveries VALIDATE CONSTRAINT {DELIVERY_FK}", "constraint-missing-not-valid")
        return
    # SQLite: the table is copied. Reflecting it reflects the tables it refers to, and profiles'
    # expression index (lower(email)) cannot be reflected: that warning concerns no table rebuilt here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table("webhook_deliveries", recreate="always") as batch:
            batch.drop_constraint(DELIVERY_FK, type_="foreignkey")
            batch.create_foreign_key(DELIVERY_FK, "chat_responses", ["chat_response_id"], ["id"], ondelete=rule)


def downgrade():
    delivery_bodies_follow_their_response("SET NULL")
    for table, columns in reversed(list(NEW_COLUMNS.items())):
        for column in reversed(columns):
            op.drop_column(table, column.name)
    op.drop_index("ix_audit_log_owner_id_id", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")
    op.drop_table("audit_log")
