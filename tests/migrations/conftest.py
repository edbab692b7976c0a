"""Fixtures for migration tests: legacy databases, and the real `flask db` commands run against them."""
import hashlib
import subprocess

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import make_app
from tests.migrations import legacy


class Database:
    """One test database: its URL, a raw engine on it, and the app's CLI pointed at it."""

    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url)
        self.app = make_app(url)
        self.backend = self.engine.dialect.name

    def flask(self, *args, input=None):
        """Run `flask <args>` through the app's CLI (the same code as the real command line)."""
        result = self.app.test_cli_runner().invoke(args=list(args), input=input)
        self.dispose()
        return result

    def upgrade(self, revision="head"):
        return self.flask("db", "upgrade", revision)

    def downgrade(self, revision):
        return self.flask("db", "downgrade", revision)

    def dispose(self):
        self.engine.dispose()
        with self.app.app_context():
            from franko.extensions import db

            db.engine.dispose()

    def scalar(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).mappings().all()

    def execute(self, *statements):
        with self.engine.begin() as conn:
            for sql in statements:
                conn.exec_driver_sql(sql)

    def fingerprint(self) -> str:
        """The database's exact content: the file's bytes (SQLite) or a full pg_dump (PostgreSQL)."""
        self.dispose()
        url = make_url(self.url)
        if self.backend == "sqlite":
            with open(url.database, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest()
        dump = subprocess.run(
            ["pg_dump", "--no-owner", url.set(drivername="postgresql").render_as_string(hide_password=False)],
            check=True, capture_output=True, text=True,
        ).stdout
        # pg_dump fences its output with a random \restrict key on every run: not content.
        dump = "\n".join(line for line in dump.splitlines() if not line.startswith(("\\restrict", "\\unrestrict")))
        return hashlib.sha256(dump.encode()).hexdigest()


@pytest.fixture
def database(empty_database_url):
    database = Database(empty_database_url)
    yield database
    database.dispose()


@pytest.fixture(params=["User", "user"], ids=["User", "lowercase"])
def spelling(request) -> str:
    """The chatbot tables' spelling: as its ORM created them, and the older lowercase copies."""
    return request.param


@pytest.fixture
def legacy_db(database, spelling):
    """A legacy database (no alembic_version) full of awkward rows; `.info` holds their ids."""
    legacy.create_schema(database.engine, spelling=spelling)
    database.info = legacy.populate(database.engine, spelling)
    database.spelling = spelling
    return database
