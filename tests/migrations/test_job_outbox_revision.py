"""Revision 0011_job_outbox: the jobs table and the effects' claims, created empty and dropped again."""
import importlib.util
import os
import sqlite3
from contextlib import closing

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.migrations
HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "job_outbox_revision", os.path.join(HERE, "..", "..", "migrations", "versions", "0011_job_outbox.py"))
revision = importlib.util.module_from_spec(spec)
spec.loader.exec_module(revision)
BEFORE = revision.down_revision  # 0010 once merged, 0009 before


def content(database) -> str:
    """The schema and rows: SQLite's SQL dump (its file's bytes keep freed pages), PostgreSQL's pg_dump digest."""
    if database.backend != "sqlite":
        return database.fingerprint()
    database.dispose()
    with closing(sqlite3.connect(make_url(database.url).database)) as conn:
        return "\n".join(conn.iterdump())


def test_upgrade_creates_the_queue_and_the_claims_and_downgrade_gives_back_the_same_database(database):
    assert database.upgrade(BEFORE).exit_code == 0
    before = content(database)
    result = database.upgrade("0011_job_outbox")
    assert result.exit_code == 0, result.output
    inspector = sa.inspect(database.engine)
    assert {"jobs", "job_claims"} <= set(inspector.get_table_names())
    indexes = {ix["name"]: (ix["column_names"], bool(ix["unique"])) for ix in inspector.get_indexes("jobs")}
    assert indexes == {"ix_jobs_status_run_at": (["status", "run_at"], False), "ix_jobs_key": (["key"], True)}
    with database.engine.begin() as conn:
        insert = sa.text("INSERT INTO jobs (name, args, key, run_at, max_attempts, retry_delay) "
                         "VALUES ('x', '[]', :key, CURRENT_TIMESTAMP, 6, 10)")
        conn.execute(insert, {"key": None})
        conn.execute(insert, {"key": None})  # many jobs without a key
        conn.execute(insert, {"key": "deliver:1"})
        ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM jobs ORDER BY id"))]
        status = conn.execute(sa.text("SELECT DISTINCT status FROM jobs")).scalar()
    assert len(set(ids)) == 3 and status == "waiting"
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as conn:
        conn.execute(insert, {"key": "deliver:1"})  # one job per key
    database.execute("DELETE FROM jobs")
    result = database.downgrade(BEFORE)
    assert result.exit_code == 0, result.output
    assert {"jobs", "job_claims"}.isdisjoint(sa.inspect(database.engine).get_table_names())
    assert content(database) == before
    assert database.upgrade("0011_job_outbox").exit_code == 0
