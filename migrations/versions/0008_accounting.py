"""Accounting: counters never NULL, the period's end, each response's charge, and the responses' search index.

Revision ID: 0008_accounting
Revises: 0007_guide_versions
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from migrations import legacy_sql as h

revision = "0008_accounting"
down_revision = "0007_guide_versions"
branch_labels = None
depends_on = None

COUNTERS = ("total_responses_used", "total_responses_used_this_month", "total_responses_available",
            "monthly_responses_quota", "total_chat_instances_used", "total_chat_instances_available")
# The expression franko.responses.search.search_text() builds; the planner matches it to this index.
SEARCH_TEXT = ("lower(coalesce(interviewee_first_name, '') || ' ' || coalesce(interviewee_second_name, '') "
               "|| ' ' || coalesce(interviewee_email, '') || ' ' || coalesce(messages_json, ''))")
SEARCH_INDEX = "ix_chat_responses_search_trgm"


def upgrade():
    # Legacy and upgraded accounts may hold NULL counters: NULL meant 0 everywhere they were read.
    h.progress("profiles: NULL counters become 0")
    op.execute("UPDATE profiles SET " + ", ".join(f"{c} = COALESCE({c}, 0)" for c in COUNTERS)
               + " WHERE " + " OR ".join(f"{c} IS NULL" for c in COUNTERS))
    set_counters_nullable(False)
    op.add_column("profiles", sa.Column("period_ends_at", sa.DateTime(), nullable=True))
    op.add_column("chat_responses", sa.Column("charged_at", sa.DateTime(), nullable=True))
    # A response was charged when it took a first answer: its conversation holds an interviewee turn.
    if h.imported_this_run():
        # The import (0004) decided each response's charge in the pass that wrote it: apply its notes.
        h.progress("chat_responses: charged_at as the import decided it")
        op.execute(f"UPDATE chat_responses SET charged_at = n.charged_at FROM {h.IMPORTED_CHARGES} AS n "
                   "WHERE n.id = chat_responses.id AND n.charged_at IS NOT NULL")
    else:
        h.progress("chat_responses: charged_at from the stored conversations")
        op.execute("UPDATE chat_responses SET charged_at = COALESCE(interview_start_time, created_at) "
                   f"WHERE {h.answered_sql('messages_json')}")
    if h.dialect() == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. The
        # search's index itself is built after the commit (after_commit(), below).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def after_commit(dialect: str) -> dict[str, str]:
    """Indexes migrations/env.py builds after the upgrade's commit, with CREATE INDEX CONCURRENTLY.

    The search's trigram index took 40% of the locked window; without it the search is correct,
    only slower (it scans), so it is built while the app already runs, without blocking writers.
    """
    if dialect != "postgresql":
        return {}
    return {SEARCH_INDEX: f"ON chat_responses USING gin (({SEARCH_TEXT}) gin_trgm_ops)"}


def downgrade():
    if h.dialect() == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        drop_pg_trgm_unless_used()
    op.drop_column("chat_responses", "charged_at")  # SQLite 3.35+ drops a plain column in place
    set_counters_nullable(True, drop_period_end=True)


def set_counters_nullable(nullable: bool, drop_period_end: bool = False) -> None:
    """The counters' NOT NULL, set or dropped: ALTER on PostgreSQL, a table rebuild on SQLite."""
    if h.dialect() == "postgresql":
        if drop_period_end:
            op.drop_column("profiles", "period_ends_at")
        # The table is locked for the maintenance window anyway, and its NULLs were just removed.
        # One statement: one scan of profiles for all six checks.
        h.execute("ALTER TABLE profiles " + ", ".join(
            f"ALTER COLUMN {column} {'DROP' if nullable else 'SET'} NOT NULL" for column in COUNTERS),
            "adding-not-nullable-field")
        return
    # SQLite rebuilds the table; the rebuild cannot carry the expression index on lower(email).
    op.drop_index("uq_profiles_email_lower", table_name="profiles")
    with op.batch_alter_table("profiles", recreate="always") as batch:
        if drop_period_end:
            batch.drop_column("period_ends_at")
        for column in COUNTERS:
            batch.alter_column(column, existing_type=sa.Integer(), nullable=nullable,
                               existing_server_default=sa.text("0"))
    op.execute("CREATE UNIQUE INDEX uq_profiles_email_lower ON profiles (lower(email))")


def drop_pg_trgm_unless_used() -> None:
    """Drop the pg_trgm extension the upgrade created, unless something else uses it now (then keep it)."""
    if h.offline():
        return
    try:
        with op.get_bind().begin_nested():  # a savepoint: a refused DROP leaves the downgrade going
            op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        h.progress("pg_trgm is used by other objects: kept")
