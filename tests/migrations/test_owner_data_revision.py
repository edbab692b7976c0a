"""Revision 0013_owner_data (from 0012) on a legacy database: redaction settings, archives, deletions' record; and back."""
import uuid

import sqlalchemy as sa

from tests.migrations import legacy

BEFORE, AFTER = "0012_privacy", "0013_owner_data"


def test_a_legacy_database_upgrades_to_0013_and_downgrades_to_the_same_rows(database):
    legacy.create_schema(database.engine)
    legacy.populate(database.engine)
    assert database.upgrade(BEFORE).exit_code == 0
    before_tables = set(sa.inspect(database.engine).get_table_names())
    before = legacy.snapshot(database.engine)
    result = database.upgrade(AFTER)
    assert result.exit_code == 0, result.output
    inspector = sa.inspect(database.engine)
    assert {"owner_exports", "organisation_deletions"} <= set(inspector.get_table_names())
    assert "redaction" in {c["name"] for c in inspector.get_columns("chat_instances")}
    keys = {fk["constrained_columns"][0]: (fk["options"].get("ondelete") or "").upper()
            for fk in inspector.get_foreign_keys("owner_exports")}
    assert keys == {"user_id": "CASCADE"}
    assert inspector.get_foreign_keys("organisation_deletions") == []  # it names no account
    owner = database.scalar("SELECT user_id FROM profiles ORDER BY user_id LIMIT 1")
    export_id = uuid.uuid4().hex if database.backend == "sqlite" else str(uuid.uuid4())
    with database.engine.begin() as conn:  # rows in the new table and column: the downgrade drops them
        conn.execute(sa.text("INSERT INTO owner_exports (id, user_id, created_at) VALUES (:i, :u, CURRENT_TIMESTAMP)"),
                     {"i": export_id, "u": owner})
        conn.execute(sa.text("UPDATE chat_instances SET redaction = 'email,phone'"))
    assert database.scalar("SELECT count(*) FROM owner_exports") == 1
    database.execute("DELETE FROM owner_exports", "UPDATE chat_instances SET redaction = NULL")
    result = database.downgrade(BEFORE)
    assert result.exit_code == 0, result.output
    assert set(sa.inspect(database.engine).get_table_names()) == before_tables
    assert "redaction" not in {c["name"] for c in sa.inspect(database.engine).get_columns("chat_instances")}
    assert legacy.snapshot(database.engine) == before
    assert database.upgrade(AFTER).exit_code == 0
