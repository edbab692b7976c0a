"""Test helpers shared by the feature tests."""
from contextlib import contextmanager

from sqlalchemy import event

from franko.extensions import db


@contextmanager
def recorded_statements(app):
    """The SQL statements the app sends while the block runs (SQLite's explicit BEGIN left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.strip().upper() != "BEGIN":
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
