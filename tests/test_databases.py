"""The tests' databases: each test starts on the full schema with no rows, whatever the test before it did."""
import pytest
import sqlalchemy as sa

from franko.extensions import db
from franko.models import Profile
from tests.conftest import make_app
from tests.databases import SchemaTemplates
from tests.factories import make_profile


@pytest.fixture
def templates(tmp_path):
    """Templates of this test's own (the session's are shared with every other test)."""
    templates = SchemaTemplates(tmp_path)
    yield templates
    templates.drop_all()


def columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return {column["name"] for column in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def add_profile(url: str) -> int:
    """Add a profile through the app; the number of profiles then."""
    app = make_app(url)
    with app.app_context():
        make_profile(email="left-behind@example.com")
        count = db.session.query(Profile).count()
        db.session.remove()
        db.engine.dispose()
    return count


def count_profiles(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM profiles")).scalar()
    finally:
        engine.dispose()


def test_the_next_test_gets_the_schema_without_the_rows_the_last_one_left(templates, backend, tmp_path):
    url, done = templates.copy(backend, tmp_path)
    assert {"user_id", "email", "password_hash"} <= columns(url, "profiles")
    assert add_profile(url) == 1
    done()
    url, done = templates.copy(backend, tmp_path)
    assert count_profiles(url) == 0
    assert add_profile(url) == 1
    done()


def test_a_test_that_changed_the_schema_leaves_the_next_one_the_original(templates, backend, tmp_path):
    url, done = templates.copy(backend, tmp_path)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE profiles ADD COLUMN left_behind INTEGER"))
    engine.dispose()
    done()
    url, done = templates.copy(backend, tmp_path)
    assert "left_behind" not in columns(url, "profiles")
    assert "email" in columns(url, "profiles")
    done()


def test_the_empty_database_stays_empty(empty_database_url):
    engine = sa.create_engine(empty_database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
