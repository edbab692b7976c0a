"""Engine settings that make SQLite behave like the production database, SQL text helpers, and a page of rows."""
import contextvars
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
# Requests that may write (anything but GET, HEAD, OPTIONS) do the same in the web process, for the
# same reason: a deferred transaction that read first is refused its first write at once ("database is
# locked", no busy wait) whenever the worker holds or has just used the write lock. The request layer
# (franko/errors/handlers.py) sets this at the start of each request.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITING_REQUEST: contextvars.ContextVar[bool] = contextvars.ContextVar("franko_writing_request", default=False)


def _writes_first() -> bool:
    """This transaction should take SQLite's write lock at BEGIN: in the worker, or in a request that may write."""
    return IMMEDIATE["on"] or WRITING_REQUEST.get()


def configure_engine(engine: Engine) -> None:
    """On SQLite: enforce foreign keys, write-ahead logging, and let SQLAlchemy (not pysqlite) open transactions.

    pysqlite's own transaction handling commits before DDL, so a failed migration would leave a
    half-changed file; emitting BEGIN ourselves makes DDL transactional, as on PostgreSQL
    (SQLAlchemy's documented recipe for pysqlite). WAL: readers (every page) never wait for the
    writer (the worker, an answer) and the writer never waits for them; writers wait for each other
    up to the busy timeout, since each takes the write lock at BEGIN (`_writes_first`). The file is
    switched to WAL by the first such writer (the worker, a request that may write), never by a
    command such as `flask db upgrade`: a refused upgrade leaves a legacy file byte for byte as it was.
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
        cursor.execute("PRAGMA secure_delete=ON")  # a deleted interview's text is overwritten, not left in free pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        if not _writes_first():
            conn.exec_driver_sql("BEGIN")
            return
        fairy = conn.connection
        if not fairy.info.get("franko_wal"):  # once per connection, outside a transaction, unseen by statement hooks
            cursor = fairy.dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file; an in-memory database stays "memory"
            cursor.close()
            fairy.info["franko_wal"] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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
