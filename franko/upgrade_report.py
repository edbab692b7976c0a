"""`flask franko upgrade --report`: row counts around the upgrade, reconciled, and what it decided.

Every legacy row is in a target table, in the archive, or both; the report also lists each merge
of a legacy user into an account (D1), the interviews archived without an owner (D6), the
counters and interview times made consistent (D7), and the tables the upgrade left alone (D9).
"""
import json
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field

import sqlalchemy as sa

from franko.extensions import db

PLATFORM = ["profiles", "interviews", "todos", "creator_conversations"]
CHATBOT = {"user": ("User", "user"), "chat": ("Chat", "chat"), "reservations": ("Reservation", "reservations")}
LEGACY = set(PLATFORM) | {n for pair in CHATBOT.values() for n in pair}


def known_tables() -> set[str]:
    """The legacy tables in either spelling, the app's own (its models' metadata) and Alembic's."""
    return LEGACY | set(db.metadata.tables) | {"alembic_version"}
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


def connect(bind):
    """A connection on `bind`: a new one from an engine, or the connection itself (a dry run reads inside its transaction)."""
    return bind.connect() if isinstance(bind, sa.Engine) else nullcontext(bind)


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def count_rows(engine: sa.Engine) -> dict[str, int]:
    """Rows per table for every legacy or target table the database has, as spelt there."""
    present = table_names(engine)
    with connect(engine) as conn:
        return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar()
                for t in sorted(present & known_tables() - {"alembic_version"})}


def left_alone(engine: sa.Engine) -> list[str]:
    """Tables of the default schema the upgrade does not know, and other schemas (Drizzle's own)."""
    inspector = sa.inspect(engine)
    found = sorted(table_names(engine) - known_tables())
    if engine.dialect.name == "postgresql":
        default = inspector.default_schema_name
        found += [f"schema {s}" for s in inspector.get_schema_names()
                  if s != default and not s.startswith(SYSTEM_SCHEMAS) and not s.startswith("pg_")]
    return found


def archived(engine: sa.Engine) -> dict[str, int]:
    if "legacy_archive" not in table_names(engine):
        return {}
    with connect(engine) as conn:
        rows = conn.execute(sa.text("SELECT source_table, count(*) FROM legacy_archive GROUP BY source_table"))
        return dict(rows.all())


def archive_rows(conn, source: str) -> list[tuple[str, dict]]:
    found = conn.execute(sa.text("SELECT source_pk, row_json FROM legacy_archive WHERE source_table = :s "
                                 "ORDER BY source_pk"), {"s": source})
    return [(pk, json.loads(row)) for pk, row in found]


@dataclass
class Line:
    table: str
    before: int
    where: str  # where its rows are now
    accounted: int

    @property
    def ok(self) -> bool:
        return self.before == self.accounted


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    counters: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)


def spelt(before: dict[str, int], logical: str) -> str | None:
    return next((name for name in CHATBOT[logical] if name in before), None)


def reconcile(before: dict[str, int], after: dict[str, int], engine: sa.Engine) -> Report:
    """The report of one upgrade: `before` and `after` are count_rows() around it."""
    report = Report(left_alone=left_alone(engine))
    user, chat, reservations = spelt(before, "user"), spelt(before, "chat"), spelt(before, "reservations")
    if chat is None or "chat_instances" not in after:  # not a legacy database: nothing to reconcile
        return report
    archive = archived(engine)
    with connect(engine) as conn:
        response_ids = {str(uuid.UUID(str(i))) for (i,) in conn.execute(sa.text("SELECT id FROM chat_responses"))}
        imported_instances = conn.execute(sa.text(
            "SELECT count(DISTINCT chat_instance_id) FROM chat_responses")).scalar()
        users = {pk for pk, _ in archive_rows(conn, user)}
        existing = {pk for pk, _ in archive_rows(conn, "profiles:merged_user")}
        made = conn.execute(sa.text("SELECT user_id FROM profiles")).scalars().all()
        made_from_users = sum(1 for user_id in made if user_id in users and user_id not in existing)
        merges = archive_rows(conn, "user:account")
        report.merges = [f"user {pk} <{row['email']}> → account {row['account']} ({row['reason']})"
                         for pk, row in merges]
        orphan_ids = [pk for pk, _ in conn.execute(sa.text(
            "SELECT source_pk, 1 FROM legacy_archive WHERE source_table = 'interviews'")) if pk not in response_ids]
        for pk in orphan_ids:
            row = json.loads(conn.execute(sa.text("SELECT row_json FROM legacy_archive WHERE source_table = "
                                                  "'interviews' AND source_pk = :pk"), {"pk": pk}).scalar())
            report.orphans.append(f"interview {pk} of {row['user_id']} (no such profile): archived, not imported")
        for pk, row in archive_rows(conn, "profiles:counters"):
            now = conn.execute(sa.text(
                "SELECT total_responses_used, total_responses_used_this_month, total_responses_available, "
                "monthly_responses_quota FROM profiles WHERE user_id = :u"), {"u": pk}).one_or_none()
            was = (row["minutes_total_used"], row["minutes_used_this_month"], row["minutes_available"],
                   row["monthly_minutes"])
            report.counters.append(f"profile {pk}: used/this month/available/quota {fmt(was)} → {fmt(now)}")
        for pk, row in archive_rows(conn, "interviews:reconciled"):
            report.times.append(f"interview {pk}: end {row['interview_end_time']}, "
                                f"{row['total_interview_minutes']} minutes — made consistent with its start")
    report.lines = [
        Line("profiles", before["profiles"], f"profiles (+{made_from_users} made from users)",
             after["profiles"] - made_from_users),
        Line(user, before.get(user, 0), f"archive; {len(merges)} merged into another account, "
             f"{made_from_users} became new accounts, the rest joined their own profile", archive.get(user, 0)),
        Line(chat, before[chat], f"chat_instances (+{imported_instances} made for imported interviews)",
             after["chat_instances"] - imported_instances),
        Line("interviews", before.get("interviews", 0),
             f"archive; {len(response_ids)} also imported as responses", archive.get("interviews", 0)),
    ]
    for table in ("todos", "creator_conversations", reservations or "reservations"):
        report.lines.append(Line(table, before.get(table, 0), "archive", archive.get(table, 0)))
    return report


def fmt(values) -> str:
    return "/".join("NULL" if v is None else str(v) for v in (values or ()))


def format_report(before: dict[str, int], after: dict[str, int], report: Report) -> str:
    out = ["Rows per table:", f"  {'table':<24}{'before':>10}{'after':>10}"]
    for table in dict.fromkeys(list(before) + list(after)):
        out.append(f"  {table:<24}{before.get(table, '-'):>10}{after.get(table, '-'):>10}")
    if report.lines:
        out.append("Reconciliation (every legacy row accounted for):")
        for line in report.lines:
            mark = "ok" if line.ok else "MISMATCH"
            out.append(f"  {line.table:<24}{line.before:>8} → {line.accounted:<8} {mark:<9} {line.where}")
    sections = [
        ("Legacy users merged into another account (D1)", report.merges),
        ("Interviews archived only: their owner has no profile (D6)", report.orphans),
        ("Counters made consistent; the originals are archived (D7)", report.counters),
        ("Interview times made consistent; the originals are archived (D7)", report.times),
        ("Left alone: not part of the legacy schema (D9)", report.left_alone),
    ]
    for title, items in sections:
        out.append(f"{title}: {len(items) if items else 'none'}")
        out += [f"  - {item}" for item in items]
    return "\n".join(out)
