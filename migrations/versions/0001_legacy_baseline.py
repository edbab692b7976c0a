"""Baseline: the legacy schema as Drizzle and the merged chatbot left it.

A production database already has these tables (and no alembic_version): this revision then does
nothing to it, and Alembic just records that it is at the baseline. An empty database gets the
legacy tables created, so a new install goes through exactly the same upgrade as production.

Revision ID: 0001_legacy_baseline
Revises:
Create Date: 2026-11-25
"""
import os
import sys

import sqlalchemy as sa
from alembic import op

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import legacy_schema  # noqa: E402
import legacy_sql as h  # noqa: E402

revision = "0001_legacy_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if not h.offline():
        inspector = sa.inspect(op.get_bind())
        if inspector.has_table("chat_instances") or inspector.has_table("chat_responses"):
            raise RuntimeError(
                "This database already has Franko's new tables but no alembic_version: it was not "
                "made by `flask db upgrade`. If it is at the current schema, record that with "
                "`flask db stamp head`; otherwise restore the legacy database from its backup."
            )
    dialect = h.dialect()
    statements = legacy_schema.ddl(dialect)
    if dialect == "postgresql" and not _enum_exists():
        op.execute(statements["membership"])
    # Create only what is missing: a legacy database may predate the merged chatbot's tables.
    for table in legacy_schema.TABLES:
        if h.offline() or not h.has_table(table):
            op.execute(statements[table])


def downgrade():
    for table in reversed(legacy_schema.TABLES):
        op.execute(f"DROP TABLE IF EXISTS {h.q(table)}")
    if h.dialect() == "postgresql":
        op.execute("DROP TYPE IF EXISTS membership")


def _enum_exists() -> bool:
    if h.offline():
        return False
    return bool(h.scalar("SELECT 1 FROM pg_type WHERE typname = 'membership'"))
