"""Engine settings that make SQLite behave like the production database, SQL text helpers, and a page of rows."""
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from franko.extensions import db

_configured: set[int] = set()
# SQLite: the worker's transactions take the write lock at BEGIN (`flask franko worker` sets this). A
# transaction that reads and then writes cannot then be refused the write (SQLITE_BUSY with no wait)
# by another writer; a worker's transactions are short, so taking the lock early costs little.
IMMEDIATE = {"on": False}


def configure_engine(engine: Engine) -> None:
    """On SQLite: enforce foreign keys, and let SQLAlchemy (not pysqlite) open transactions.

    pysqlite's own transaction handling commits before DDL, so a failed migration would leave a
    half-changed file; emitting BEGIN ourselves makes DDL transactional, as on PostgreSQL
    (SQLAlchemy's documented recipe for pysqlite).
    """
    if engine.dialect.name != "sqlite" or id(engine) in _configured:
        return
    _configured.add(id(engine))

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if IMMEDIATE["on"] else "BEGIN")


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards escaped, to be used with escape='\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def insert_ignoring_duplicates(model, **values):
    """INSERT … ON CONFLICT DO NOTHING for `model` (PostgreSQL or SQLite): a second insert of the same key is a no-op."""
    module = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return module.insert(model).values(**values).on_conflict_do_nothing()


@dataclass(frozen=True)
class Page:
    """One page of a listing (responses, webhook deliveries): its rows, its number, whether another follows."""

    items: list
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1
