"""Baseline: the legacy schema as Drizzle and the merged chatbot left it.

A production database already has these tables (and no alembic_version): this revision then
changes none of them. An empty database gets the legacy tables created, so a new install goes
through exactly the same upgrade as production. Anything else — some legacy tables but not the
others, both spellings of one, or tables that are not the legacy schema at all — is refused before
anything changes (D5, D9). Either way the baseline creates `legacy_archive` and records in it what
it found, so that `flask db downgrade base` drops only what it created (D8).

Revision ID: 0001_legacy_baseline
Revises:
Create Date: 2026-11-25
"""

from alembic import op

from migrations import legacy_schema
from migrations import legacy_sql as h

revision = "0001_legacy_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    present = set() if h.offline() else h.table_names() - {"alembic_version"}
    if present & {"chat_instances", "chat_responses"}:
        raise h.PreflightError(
            "This database already has Franko's new tables but no alembic_version: it was not "
            "made by `flask db upgrade`. If it is at the current schema, record that with "
            "`flask db stamp head`; otherwise restore the legacy database from its backup."
        )
    spelling, problems = legacy_schema.shape(present)
    if problems:
        raise h.PreflightError("The database is not one whole legacy schema; nothing was changed:\n"
                               + "\n".join(problems))
    if spelling is None and present:
        raise h.PreflightError(
            "The database has tables, but none of the legacy schema's ("
            + ", ".join(h.q(t) for t in sorted(present)) + "); nothing was changed. `flask db upgrade` "
            "creates Franko's schema only in an empty database or upgrades a legacy one: point "
            "DATABASE_URL at an empty database (or the legacy one)."
        )
    found = spelling is not None
    spelling = spelling or legacy_schema.DEFAULT_SPELLING
    labels = enum_labels()
    if not found:
        create_legacy_schema(spelling, labels)
        labels = labels or ["free", "starter", "pro"]
    h.create_archive()
    h.record_baseline({"found_legacy": found, "chatbot_tables": spelling, "membership": labels})


def downgrade():
    record = h.baseline_record()
    leftover = h.scalar(f"SELECT count(*) FROM {h.ARCHIVE} WHERE source_table <> '{h.BASELINE_RECORD}'") \
        if h.has_table(h.ARCHIVE) else 0
    if leftover:
        raise RuntimeError(f"legacy_archive still holds {leftover} rows no downgrade step restores; "
                           "not dropping it. Inspect them before downgrading further.")
    op.execute(f"DROP TABLE IF EXISTS {h.ARCHIVE}")
    # Only what the baseline itself created goes; a legacy database keeps every table it had.
    if record.get("found_legacy") is False:
        for table in reversed(legacy_schema.tables(record["chatbot_tables"])):
            op.execute(f"DROP TABLE IF EXISTS {h.q(table)}")
        if h.dialect() == "postgresql":
            op.execute("DROP TYPE IF EXISTS membership")


def enum_labels() -> list[str] | None:
    """The labels of the legacy `membership` type, in order (PostgreSQL), or None where there is none."""
    if h.offline() or h.dialect() != "postgresql":
        return None
    found = h.rows("SELECT e.enumlabel FROM pg_enum AS e JOIN pg_type AS t ON t.oid = e.enumtypid "
                   "WHERE t.typname = 'membership' AND t.typnamespace = current_schema()::regnamespace "
                   "ORDER BY e.enumsortorder")
    return [label for (label,) in found] or None


def create_legacy_schema(spelling: str, labels: list[str] | None) -> None:
    statements = legacy_schema.ddl(h.dialect(), spelling)
    if h.dialect() == "postgresql" and labels is None:
        op.execute(statements["membership"])
    for table in legacy_schema.PLATFORM_TABLES + legacy_schema.CHATBOT_TABLES:
        op.execute(statements[table])
