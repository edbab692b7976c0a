"""Set-based SQL building blocks shared by the upgrade's revisions (no app models, no per-row loops).

Every statement here moves whole tables with INSERT … SELECT / UPDATE … FROM, on PostgreSQL
and on SQLite; where the two differ, both spellings sit side by side.
"""
import hashlib
import json
import logging
import time

import sqlalchemy as sa
from alembic import context, op

from migrations import legacy_schema, legacy_transcript
from migrations.legacy_schema import q  # noqa: F401  (the revisions quote names through this module)

ARCHIVE = "legacy_archive"
BASELINE_RECORD = "franko:baseline"  # the archive row in which the baseline says what it found
log = logging.getLogger("alembic.runtime.migration")


def progress(message: str) -> None:
    """A new step of the upgrade begins: env.py's tracker times it and counts its rows (else one log line)."""
    opts = context.get_context().opts
    tracker = opts.get("franko_tracker")
    if tracker is not None:
        tracker.step(message)
        return
    started = opts.setdefault("franko_started", time.monotonic())
    log.info("  [%6.1fs] %s", time.monotonic() - started, message)


# Temporary tables (gone at the commit) in which 0004's import, on PostgreSQL, notes what the later
# revisions would otherwise find by a second pass over every response: the instances it made
# (their guide is version 1, 0007) and the responses an interviewee answered in (charged, 0008).
IMPORTED_INSTANCES = "franko_imported_instances"
IMPORTED_CHARGES = "franko_imported_charges"


def answered_sql(messages: str) -> str:
    """SQL: the stored conversation holds an interviewee turn; a response is charged from its first answer (0008)."""
    return f"({messages} LIKE '%\"role\": \"user\"%' OR {messages} LIKE '%\"role\":\"user\"%')"


def imported_this_run() -> bool:
    """PostgreSQL, online: chat_responses was created and filled by this run's import (0004).

    Then every response is an imported interview (the table is new in this uncommitted
    transaction: nothing else can have written to it), and the import's own pass already decided
    each of its backfilled values: later revisions read its notes instead of every response.
    """
    if offline() or dialect() != "postgresql":
        return False
    return scalar(f"SELECT to_regclass('pg_temp.{IMPORTED_CHARGES}') IS NOT NULL") is True


def dialect() -> str:
    return context.get_context().dialect.name


def offline() -> bool:
    return context.is_offline_mode()


def columns(table: str, fallback: list[str] | None = None) -> list[str]:
    """The table's columns as the database has them (offline: the legacy schema's)."""
    if offline():
        return list(fallback or [])
    return [c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)]


def has_table(table: str) -> bool:
    if offline():
        return True
    return table in table_names()


def table_names() -> set[str]:
    """The tables of the default schema, as spelt in the database (Drizzle's own schema is not looked at)."""
    return set(sa.inspect(op.get_bind()).get_table_names())


def spelling() -> str:
    """The chatbot tables' spelling: as the database has them, else as the baseline recorded it."""
    if offline():
        return legacy_schema.DEFAULT_SPELLING
    present = table_names()
    for spelt in legacy_schema.CHATBOT_NAMES:
        if spelt in present:
            return spelt
    recorded = baseline_record().get("chatbot_tables")
    if recorded:
        return recorded
    if ARCHIVE in present:  # baselined before the record existed: the archived rows' source tells
        for spelt in legacy_schema.CHATBOT_NAMES:
            if scalar(f"SELECT 1 FROM {ARCHIVE} WHERE source_table = :t LIMIT 1", t=spelt):
                return spelt
    return legacy_schema.DEFAULT_SPELLING


def legacy_names() -> dict[str, str]:
    """Logical legacy table name → its quoted name in this database."""
    return {logical: q(actual) for logical, actual in legacy_schema.names(spelling()).items()}


def create_archive() -> None:
    """The archive of legacy rows (D4): whole rows as JSON, keyed by source table and key."""
    op.create_table(
        ARCHIVE,
        sa.Column("source_table", sa.Text(), nullable=False),
        sa.Column("source_pk", sa.Text(), nullable=False),
        sa.Column("row_json", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("source_table", "source_pk", name="pk_legacy_archive"),
    )


def record_baseline(facts: dict) -> None:
    """Keep what the baseline found (legacy or empty, spelling, enum labels) for the downgrades."""
    op.execute(sa.text(f"INSERT INTO {ARCHIVE} (source_table, source_pk, row_json, archived_at) "
                       f"VALUES ('{BASELINE_RECORD}', 'baseline', :facts, {now_sql()})")
               .bindparams(facts=json.dumps(facts, sort_keys=True)))


def baseline_record() -> dict:
    """What the baseline recorded; {} for a database baselined before it kept a record."""
    if offline() or ARCHIVE not in table_names():
        return {}
    found = scalar(f"SELECT row_json FROM {ARCHIVE} WHERE source_table = '{BASELINE_RECORD}'")
    return json.loads(found) if found else {}


def archive_json(field: str, alias: str = "a") -> str:
    """SQL: one text field of an archived row's JSON."""
    if dialect() == "postgresql":
        return f"(CAST({alias}.row_json AS json) ->> '{field}')"
    return f"json_extract({alias}.row_json, '$.\"{field}\"')"


def now_sql() -> str:
    """The current UTC time as a `timestamp` value."""
    return "(now() AT TIME ZONE 'utc')" if dialect() == "postgresql" else "CURRENT_TIMESTAMP"


def greatest_sql(*exprs: str) -> str:
    """The largest of the values: greatest() on PostgreSQL, the scalar max() on SQLite."""
    return f"{'greatest' if dialect() == 'postgresql' else 'max'}({', '.join(exprs)})"


def uuid_hex_sql(expr: str) -> str:
    """On SQLite, a legacy uuid text ('0b1e…-…') in SQLAlchemy's Uuid storage form (32 hex digits)."""
    return f"lower(replace({expr}, '-', ''))"


def uuid_dashed_sql(expr: str) -> str:
    """On SQLite, 32 hex digits back to the legacy dashed form."""
    return (f"substr({expr},1,8)||'-'||substr({expr},9,4)||'-'||substr({expr},13,4)||'-'"
            f"||substr({expr},17,4)||'-'||substr({expr},21,12)")


def derived_uuid_sql(*parts: str) -> str:
    """A uuid derived from text parts (md5 of them joined by U+001F): the same ids on every run."""
    joined = " || chr(31) || ".join(parts) if dialect() == "postgresql" else " || char(31) || ".join(parts)
    if dialect() == "postgresql":
        return f"CAST(md5({joined}) AS uuid)"
    register_sqlite_functions()
    return f"franko_md5({joined})"


def register_sqlite_functions() -> None:
    """What SQLite lacks: md5, and the legacy transcript parser (deterministic, so the planner may cache)."""
    raw = op.get_bind().connection.driver_connection
    raw.create_function("franko_md5", 1, lambda s: hashlib.md5(s.encode("utf-8")).hexdigest(), deterministic=True)
    raw.create_function("franko_transcript", 3, legacy_transcript.messages_json, deterministic=True)


def json_object_sql(alias: str, cols: list[str], strip_nulls: bool = False) -> str:
    """SQL for a JSON object of the named columns of `alias` (as text)."""
    return json_build_sql({c: f"{alias}.{q(c)}" for c in cols}, strip_nulls)


def json_build_sql(fields: dict[str, str], strip_nulls: bool = False) -> str:
    """SQL for a JSON object (as text) of the given key → SQL expression pairs."""
    args = ", ".join(f"'{key}', {expr}" for key, expr in fields.items())
    if dialect() == "postgresql":
        obj = f"json_build_object({args})"
        return f"CAST(json_strip_nulls({obj}) AS text)" if strip_nulls else f"CAST({obj} AS text)"
    # json_patch drops the keys whose value is null (RFC 7396).
    return f"json_patch('{{}}', json_object({args}))" if strip_nulls else f"json_object({args})"


def ensure_is_json_function() -> None:
    """PostgreSQL: pg_temp.franko_is_json(text), true when the text parses as JSON (PostgreSQL 15
    has no IS JSON). A session-local function: nothing of it outlives the upgrade's connection."""
    if dialect() == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION pg_temp.franko_is_json(value text) RETURNS boolean "
            "LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM CAST(value AS json); RETURN true; "
            "EXCEPTION WHEN others THEN RETURN false; END $$"
        )


def is_json_sql(expr: str) -> str:
    """SQL: the text `expr` is valid JSON (call ensure_is_json_function() first on PostgreSQL)."""
    return f"pg_temp.franko_is_json({expr})" if dialect() == "postgresql" else f"json_valid({expr})"


def double_encoded_sql(column: str, strings_hold_json: bool = False) -> str:
    """SQL: a legacy json value that is a JSON string whose text is JSON itself (the chatbot's
    stringified messages, D2). `strings_hold_json`: every string value of the column is known to
    hold JSON (0003 learns it in one pass), so no row needs the per-row check."""
    if dialect() == "postgresql":
        if strings_hold_json:
            return f"(json_typeof({column}) = 'string')"
        inner = is_json_sql(f"{column} #>> '{{}}'")
        return f"(json_typeof({column}) = 'string' AND {inner})"
    return (f"(CASE WHEN json_valid({column}) THEN json_type({column}) END = 'text' "
            f"AND json_valid(json_extract({column}, '$')))")


def unwrapped_sql(column: str, strings_hold_json: bool = False) -> str:
    """SQL: the JSON text a double-encoded value holds; any other value as its own text."""
    inner = f"{column} #>> '{{}}'" if dialect() == "postgresql" else f"json_extract({column}, '$')"
    plain = f"CAST({column} AS text)"
    return f"CASE WHEN {double_encoded_sql(column, strings_hold_json)} THEN {inner} ELSE {plain} END"


def archive_table(table: str, pk: str, legacy_columns: list[str]) -> None:
    """Copy every row of `table`, whole, into legacy_archive (D4)."""
    if dialect() == "postgresql":
        row = f"CAST(row_to_json(t) AS text)"
    else:
        row = json_object_sql("t", columns(table, legacy_columns))
    op.execute(
        f"INSERT INTO {ARCHIVE} (source_table, source_pk, row_json, archived_at) "
        f"SELECT '{table}', CAST(t.{q(pk)} AS text), {row}, {now_sql()} FROM {q(table)} AS t"
    )


def restore_table(table: str, legacy_columns: list[str]) -> None:
    """Put the archived rows of `table` back into the (re-created) table and drop them from the archive."""
    if dialect() == "postgresql":
        op.execute(
            f"INSERT INTO {q(table)} SELECT (json_populate_record(CAST(NULL AS {q(table)}), "
            f"CAST(a.row_json AS json))).* FROM {ARCHIVE} AS a WHERE a.source_table = '{table}'"
        )
    else:
        cols = ", ".join(q(c) for c in legacy_columns)
        values = ", ".join(f"json_extract(a.row_json, '$.\"{c}\"')" for c in legacy_columns)
        op.execute(f"INSERT INTO {q(table)} ({cols}) SELECT {values} FROM {ARCHIVE} AS a "
                   f"WHERE a.source_table = '{table}'")
    op.execute(f"DELETE FROM {ARCHIVE} WHERE source_table = '{table}'")


def execute(sql: str, *squawk_ignore: str) -> None:
    """Run one statement; `squawk_ignore` names the squawk rules its comment in the revision justifies.

    The rules go into the SQL as a `-- squawk-ignore` line, so `flask db upgrade --sql | squawk`
    reports only what nobody has answered for yet.
    """
    if squawk_ignore:
        sql = f"-- squawk-ignore {', '.join(squawk_ignore)}\n{sql}"
    op.execute(sql)


def scalar(sql: str, **params):
    return op.get_bind().execute(sa.text(sql), params).scalar()


def rows(sql: str, **params) -> list:
    return op.get_bind().execute(sa.text(sql), params).all()


def plan_setting(name: str, key: str, default: int) -> int:
    """A plan's number from the running app's configuration, else the value frozen in this revision."""
    try:
        from flask import current_app

        return int(current_app.config["FRANKO_PLANS"][name][key])
    except (RuntimeError, KeyError):
        return default


FROZEN_PLANS = {"free": (10, 1), "starter": (100, 5), "pro": (1000, 50)}


def plan_case_sql(column: str, key: str) -> str:
    """CASE membership WHEN 'free' THEN … END: the plan's responses quota or instance cap."""
    index = 0 if key == "responses" else 1
    cast = f"CAST({column} AS text)" if dialect() == "postgresql" else column
    whens = " ".join(
        f"WHEN '{name}' THEN {plan_setting(name, key, values[index])}" for name, values in FROZEN_PLANS.items()
    )
    return f"CASE {cast} {whens} ELSE 0 END"


class PreflightError(RuntimeError):
    """The legacy data cannot be upgraded as it is; the message names the offending rows."""
