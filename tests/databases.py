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

    def drop():
        with pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = make_url(database_url_from_env()).set(database=name)
    return url.render_as_string(hide_password=False), drop


class SchemaTemplates:
    """One database per backend holding the app's schema (`create_all`, with pg_trgm), built on first use."""

    def __init__(self, directory):
        self.directory = directory
        self._templates: dict[str, str] = {}  # backend: the SQLite file, or the PostgreSQL database's name
        self._drops: list[callable] = []

    def template(self, backend: str) -> str:
        if backend not in self._templates:
            url, drop = new_database(backend, self.directory, suffix="template")
            self._drops.append(drop)
            app = create_app(type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
            with app.app_context():
                db.create_all()
                db.session.remove()
                db.engine.dispose()  # PostgreSQL copies a template only when no one is connected to it
            parsed = make_url(url)
            self._templates[backend] = parsed.database
        return self._templates[backend]

    def copy(self, backend: str, tmp_path) -> tuple[str, callable]:
        """A new database holding the schema (and no rows); its URL and a function that drops it."""
        return new_database(backend, tmp_path, template=self.template(backend))

    def drop_all(self):
        for drop in self._drops:
            drop()
