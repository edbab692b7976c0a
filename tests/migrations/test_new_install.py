"""A new install: `flask db upgrade` on an empty database ends at the models' schema."""
import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from franko.extensions import db

HEAD = "0013_owner_data"


def schema_differences(database) -> list:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        with warnings.catch_warnings():
            # SQLite cannot reflect the expression index on lower(email); it is checked on its own below.
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            return compare_metadata(context, db.metadata)


def test_empty_database_upgrades_to_the_models(database):
    result = database.upgrade()
    assert result.exit_code == 0, result.output
    assert schema_differences(database) == []
    assert database.scalar("SELECT version_num FROM alembic_version") == HEAD
    tables = set(sa.inspect(database.engine).get_table_names())
    assert tables == {"alembic_version", "profiles", "chat_instances", "chat_responses", "legacy_archive",
                      "stripe_events", "login_sessions", "guide_versions", "webhook_deliveries", "response_questions",
                      "jobs", "job_claims", "audit_log", "owner_exports",
                      "organisation_deletions"}


def test_email_is_unique_case_insensitively(database):
    database.upgrade()
    database.execute("INSERT INTO profiles (id, user_id, email, membership, created_at, updated_at) "
                     "VALUES ('00000000000000000000000000000001', 'a', 'Same@Example.com', 'free', "
                     "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)" if database.backend == "sqlite" else
                     "INSERT INTO profiles (user_id, email) VALUES ('a', 'Same@Example.com')")
    try:
        database.execute("INSERT INTO profiles (id, user_id, email, membership, created_at, updated_at) "
                         "VALUES ('00000000000000000000000000000002', 'b', 'same@example.COM', 'free', "
                         "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)" if database.backend == "sqlite" else
                         "INSERT INTO profiles (user_id, email) VALUES ('b', 'same@example.COM')")
    except sa.exc.IntegrityError:
        pass
    else:
        raise AssertionError("a second profile with the same email in another case was accepted")


def test_every_foreign_key_is_indexed(database):
    database.upgrade()
    inspector = sa.inspect(database.engine)
    for table in ("chat_instances", "chat_responses"):
        leading = {ix["column_names"][0] for ix in inspector.get_indexes(table)}
        for fk in inspector.get_foreign_keys(table):
            assert fk["name"].startswith("fk_"), fk
            assert fk["constrained_columns"][0] in leading, (table, fk)


def test_rerunning_at_head_changes_nothing(database):
    database.upgrade()
    before = database.fingerprint()
    result = database.upgrade()
    assert result.exit_code == 0
    assert database.fingerprint() == before


def test_new_install_downgrades_to_nothing_and_back(database):
    database.upgrade()
    assert database.downgrade("base").exit_code == 0
    assert sa.inspect(database.engine).get_table_names() == []  # alembic_version included (D8)
    assert database.upgrade().exit_code == 0
    assert schema_differences(database) == []
