"""Test helpers shared by the feature tests."""
import os
from contextlib import contextmanager

from sqlalchemy import event

from franko.extensions import db


@contextmanager
def recorded_statements(app):
    """The SQL statements the app sends while the block runs (SQLite's explicit BEGIN, IMMEDIATE or not, left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


AXE_SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "node_modules", "axe-core", "axe.min.js")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_findings(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA findings on the page as it is now (none expected)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        with open(AXE_SOURCE, encoding="utf-8") as f:
            page.evaluate(f.read())  # evaluated through the DevTools protocol: no CSP applies
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))""", WCAG_AA)
