"""Row counts around `flask db upgrade`, reconciled: every legacy row is in a target table, the archive, or both."""
from dataclasses import dataclass

import sqlalchemy as sa

LEGACY = ["profiles", "user", "chat", "interviews", "todos", "creator_conversations", "reservations"]
TARGET = ["profiles", "chat_instances", "chat_responses", "legacy_archive"]


def count_rows(engine: sa.Engine) -> dict[str, int]:
    """Rows per table for every legacy or target table the database has."""
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar()
                for t in dict.fromkeys(LEGACY + TARGET) if inspector.has_table(t)}


def archived(engine: sa.Engine) -> dict[str, int]:
    if not sa.inspect(engine).has_table("legacy_archive"):
        return {}
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT source_table, count(*) FROM legacy_archive GROUP BY source_table"))
        return dict(rows.all())


@dataclass
class Line:
    table: str
    before: int
    where: str  # where its rows are now
    accounted: int

    @property
    def ok(self) -> bool:
        return self.before == self.accounted


def reconcile(before: dict[str, int], after: dict[str, int], archive: dict[str, int], engine) -> list[Line]:
    """One line per legacy table that existed before the upgrade."""
    if "chat" not in before:  # not a legacy database: nothing to reconcile
        return []
    with engine.connect() as conn:
        imported = conn.execute(sa.text("SELECT count(*), count(DISTINCT chat_instance_id) FROM chat_responses")).one()
    merged = archive.get("profiles:merged_user", 0)
    made_from_users = before.get("user", 0) - merged
    lines = [
        Line("profiles", before["profiles"], f"profiles (+{made_from_users} made from users)",
             after["profiles"] - made_from_users),
        Line("user", before.get("user", 0), f"archive; {merged} merged into existing profiles, the rest new profiles",
             archive.get("user", 0)),
        Line("chat", before["chat"], f"chat_instances (+{imported[1]} made for imported interviews)",
             after["chat_instances"] - imported[1]),
        Line("interviews", before.get("interviews", 0),
             f"archive; {imported[0]} also imported as responses", archive.get("interviews", 0)),
    ]
    for table in ("todos", "creator_conversations", "reservations"):
        lines.append(Line(table, before.get(table, 0), "archive", archive.get(table, 0)))
    return lines


def format_report(before, after, lines) -> str:
    out = ["Rows per table:", f"  {'table':<24}{'before':>10}{'after':>10}"]
    for table in dict.fromkeys(list(before) + list(after)):
        out.append(f"  {table:<24}{before.get(table, '-'):>10}{after.get(table, '-'):>10}")
    if lines:
        out.append("Reconciliation (every legacy row accounted for):")
        for line in lines:
            mark = "ok" if line.ok else "MISMATCH"
            out.append(f"  {line.table:<24}{line.before:>8} → {line.accounted:<8} {mark:<9} {line.where}")
    return "\n".join(out)
