"""Test databases: the app's schema is built once per session (and xdist worker), then copied for each test.

SQLite copies a template file; PostgreSQL runs `CREATE DATABASE … TEMPLATE`. Every name carries the
xdist worker and the process id, so parallel workers (and other people's runs) never collide.
"""
import itertools
import os
import shutil

import psycopg
from sqlalchemy.engine import make_url

from franko import create_app
from franko.config import TestingConfig, database_url
from franko.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, … under pytest-xdist
_counter = itertools.count()


def pg_admin():
    """An autocommit connection to the PostgreSQL server named by TEST_DATABASE_URL."""
    url = make_url(database_url_from_env())
    return psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password,
        dbname=url.database, autocommit=True,
    )


def database_url_from_env() -> str:
    os.environ.setdefault("DATABASE_URL", "")
    saved = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = TEST_DATABASE_URL
    try:
        return database_url(None)
    finally:
        os.environ["DATABASE_URL"] = saved


def new_database(backend: str, tmp_path, template: str | None = None, suffix: str | None = None) -> tuple[str, callable]:
    """Create a database (empty, or a copy of `template`); return its SQLAlchemy URL and a function that drops it."""
    suffix = suffix or str(next(_counter))
    if backend == "sqlite":
        path = tmp_path / f"franko-{suffix}.sqlite"
        if template:
            shutil.copyfile(template, path)
        return f"sqlite:///{path}", lambda: None
    name = f"franko_test_{WORKER}_{os.getpid()}_{suffix}"
    with pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        # A test database need not survive a crash of the server: commits do not wait for the disk.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')

    def drop():
        with pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = make_url(database_url_from_env()).set(database=name)
    return url.render_as_string(hide_password=False), drop


# What must match the template for a used database to be emptied and used again: relations, columns,
# defaults, constraints, indexes, types, extensions (a test that changed the schema gets a new copy).
SCHEMA_FINGERPRINT = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
  SELECT c.relname || ':' || c.relkind::text || ':' || coalesce(a.attname, '') || ':'
         || coalesce(format_type(a.atttypid, a.atttypmod), '') || ':' || coalesce(a.attnotnull::text, '') || ':'
         || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS item
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  UNION ALL SELECT 'constraint:' || conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
  WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  UNION ALL SELECT 'index:' || indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL SELECT 'type:' || typname FROM pg_type
  WHERE typnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  UNION ALL SELECT 'extension:' || extname || ':' || extversion FROM pg_extension
) AS schema
"""


def pg_connect(url: str):
    """A psycopg connection to the database of a SQLAlchemy URL."""
    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                           password=parsed.password, dbname=parsed.database)


class SchemaTemplates:
    """The app's schema (`create_all`, with pg_trgm) built once per backend, and databases holding it.

    SQLite: each test gets a copy of the template file. PostgreSQL: CREATE and DROP DATABASE cost a
    second or more each (WAL for the copy, a checkpoint for the drop), so each worker keeps one copy
    of the template and empties it after each test; a test that changed its schema, or left it
    locked, gets a new copy.
    """

    def __init__(self, directory):
        self.directory = directory
        self._templates: dict[str, str] = {}  # backend: the SQLite file, or the PostgreSQL database's name
        self._drops: list[callable] = []
        self._postgres: tuple[str, callable] | None = None  # the worker's copy: URL, drop
        self._fingerprint: str | None = None
        self._name = f"s{next(_counter)}"  # in the databases' names: one set of templates never drops another's

    def template(self, backend: str) -> str:
        if backend not in self._templates:
            url, drop = new_database(backend, self.directory, suffix=f"{self._name}_template")
            self._drops.append(drop)
            app = create_app(type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
            with app.app_context():
                db.create_all()
                db.session.remove()
                db.engine.dispose()  # PostgreSQL copies a template only when no one is connected to it
            self._templates[backend] = make_url(url).database
            if backend == "postgresql":
                with pg_connect(url) as conn:
                    self._fingerprint = conn.execute(SCHEMA_FINGERPRINT).fetchone()[0]
        return self._templates[backend]

    def copy(self, backend: str, tmp_path) -> tuple[str, callable]:
        """A database holding the schema and no rows; its URL and a function to call when the test is done."""
        if backend == "sqlite":
            return new_database(backend, tmp_path, template=self.template(backend))
        if self._postgres is None:
            self._postgres = new_database(backend, self.directory, template=self.template(backend),
                                          suffix=f"{self._name}_db")
        return self._postgres[0], self._empty_postgres

    def _empty_postgres(self) -> None:
        """Delete every row (and restart the sequences) of the worker's copy, or drop it if its schema changed."""
        url, drop = self._postgres
        try:
            with pg_connect(url) as conn:
                conn.execute("SET lock_timeout = '5s'")
                if conn.execute(SCHEMA_FINGERPRINT).fetchone()[0] != self._fingerprint:
                    raise LookupError("the test changed the schema")
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(f'DELETE FROM "{table.name}"')
                for (sequence,) in conn.execute("SELECT oid::regclass::text FROM pg_class WHERE relkind = 'S'"):
                    conn.execute(f"ALTER SEQUENCE {sequence} RESTART")
        except (LookupError, psycopg.Error):
            drop()
            self._postgres = None

    def drop_all(self):
        if self._postgres is not None:
            self._postgres[1]()
        for drop in self._drops:
            drop()
