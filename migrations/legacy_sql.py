"""Set-based SQL building blocks shared by the upgrade's revisions (no app models, no per-row loops).

Every statement here moves whole tables with INSERT … SELECT / UPDATE … FROM, on PostgreSQL
and on SQLite; where the two differ, both spellings sit side by side.
"""
import hashlib
import logging
import time

import sqlalchemy as sa
from alembic import context, op

ARCHIVE = "legacy_archive"
log = logging.getLogger("alembic.runtime.migration")


def progress(message: str) -> None:
    """One line per step of the upgrade, with the time since this run began: its progress counter."""
    started = context.get_context().opts.setdefault("franko_started", time.monotonic())
    log.info("  [%6.1fs] %s", time.monotonic() - started, message)


def dialect() -> str:
    return context.get_context().dialect.name


def offline() -> bool:
    return context.is_offline_mode()


def q(name: str) -> str:
    """A quoted identifier ("user", "createdAt")."""
    return '"' + name.replace('"', '""') + '"'


def columns(table: str, fallback: list[str] | None = None) -> list[str]:
    """The table's columns as the database has them (offline: the legacy schema's)."""
    if offline():
        return list(fallback or [])
    return [c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)]


def has_table(table: str) -> bool:
    if offline():
        return True
    return sa.inspect(op.get_bind()).has_table(table)


def now_sql() -> str:
    """The current UTC time as a `timestamp` value."""
    return "(now() AT TIME ZONE 'utc')" if dialect() == "postgresql" else "CURRENT_TIMESTAMP"


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
    """md5 for SQLite, which lacks it (deterministic, so the query planner may cache it)."""
    raw = op.get_bind().connection.driver_connection
    raw.create_function("franko_md5", 1, lambda s: hashlib.md5(s.encode("utf-8")).hexdigest(), deterministic=True)


def json_object_sql(alias: str, cols: list[str], strip_nulls: bool = False) -> str:
    """SQL for a JSON object of the named columns of `alias`."""
    if dialect() == "postgresql":
        args = ", ".join(f"'{c}', {alias}.{q(c)}" for c in cols)
        obj = f"json_build_object({args})"
        return f"CAST(json_strip_nulls({obj}) AS text)" if strip_nulls else f"CAST({obj} AS text)"
    args = ", ".join(f"'{c}', {alias}.{q(c)}" for c in cols)
    # json_patch drops the keys whose value is null (RFC 7396).
    return f"json_patch('{{}}', json_object({args}))" if strip_nulls else f"json_object({args})"


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
