"""Revision 0012_privacy (from 0011) on a legacy database: the audit log (and §14's columns), and back to the same database."""
import sqlalchemy as sa

from tests.migrations import legacy

BEFORE, AFTER = "0011_job_outbox", "0012_privacy"


def test_a_legacy_database_upgrades_to_0012_and_downgrades_to_the_same_rows(database):
    legacy.create_schema(database.engine)
    legacy.populate(database.engine)
    assert database.upgrade(BEFORE).exit_code == 0
    before_tables = set(sa.inspect(database.engine).get_table_names())
    before = legacy.snapshot(database.engine)
    result = database.upgrade(AFTER)
    assert result.exit_code == 0, result.output
    inspector = sa.inspect(database.engine)
    assert "audit_log" in inspector.get_table_names()
    keys = {fk["constrained_columns"][0]: fk["options"].get("ondelete") for fk in inspector.get_foreign_keys("audit_log")}
    assert {k: (v or "").upper() for k, v in keys.items()} == {"actor_id": "SET NULL", "owner_id": "SET NULL"}
    columns = {t: {c["name"] for c in inspector.get_columns(t)} for t in ("chat_instances", "chat_responses")}
    assert {"privacy_notice", "privacy_notice_version", "retention_days"} <= columns["chat_instances"]
    assert {"consent_notice_version", "consented_at"} <= columns["chat_responses"]
    delivery_fk = [fk for fk in inspector.get_foreign_keys("webhook_deliveries") if fk["referred_table"] == "chat_responses"]
    assert [fk["options"].get("ondelete", "").upper() for fk in delivery_fk] == ["CASCADE"]
    assert database.scalar("SELECT count(*) FROM chat_instances WHERE privacy_notice_version = 0 "
                           "AND privacy_notice IS NULL AND retention_days IS NULL") == \
        database.scalar("SELECT count(*) FROM chat_instances")  # every instance: no notice, kept for ever
    owner = database.scalar("SELECT user_id FROM profiles ORDER BY user_id LIMIT 1")
    with database.engine.begin() as conn:  # a line about an account that is then deleted keeps itself, unattributed
        conn.execute(sa.text("INSERT INTO audit_log (at, actor_id, owner_id, action) "
                             "VALUES (CURRENT_TIMESTAMP, :o, :o, 'export.requested')"), {"o": owner})
    database.execute("DELETE FROM audit_log")
    result = database.downgrade(BEFORE)
    assert result.exit_code == 0, result.output
    inspector = sa.inspect(database.engine)
    assert set(inspector.get_table_names()) == before_tables
    assert "retention_days" not in {c["name"] for c in inspector.get_columns("chat_instances")}
    delivery_fk = [fk for fk in inspector.get_foreign_keys("webhook_deliveries") if fk["referred_table"] == "chat_responses"]
    assert [fk["options"].get("ondelete", "").upper() for fk in delivery_fk] == ["SET NULL"]
    assert legacy.snapshot(database.engine) == before
    assert database.upgrade(AFTER).exit_code == 0
