"""Revision 0008_accounting (from the revision before it): NULL counters become 0 and NOT NULL, responses with an answer are marked charged, and back."""
import json
import warnings

import pytest
import sqlalchemy as sa

BEFORE = "0007_guide_versions"  # the revision 0008_accounting follows
COUNTERS = ("total_responses_used", "total_responses_used_this_month", "total_responses_available",
            "monthly_responses_quota", "total_chat_instances_used", "total_chat_instances_available")


def seed_before(database):
    assert database.upgrade(BEFORE).exit_code == 0
    uuid_a, uuid_b = ("00000000000000000000000000000001", "00000000000000000000000000000002") \
        if database.backend == "sqlite" else ("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002")
    answered = json.dumps([{"role": "assistant", "content": "Q?"}, {"role": "user", "content": "A."}])
    unanswered = json.dumps([{"role": "assistant", "content": "Q?"}])
    with database.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO profiles (id, user_id, email, membership, created_at, updated_at, " + ", ".join(COUNTERS) + ")"
            " VALUES (:id, 'legacy', 'legacy@example.com', 'free', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
            " NULL, NULL, NULL, NULL, NULL, NULL)"), {"id": uuid_a})
        conn.execute(sa.text("INSERT INTO chat_instances (id, user_id, created_at, updated_at)"
                             " VALUES (:id, 'legacy', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": uuid_a})
        for rid, messages in ((uuid_a, answered), (uuid_b, unanswered)):
            conn.execute(sa.text(
                "INSERT INTO chat_responses (id, user_id, chat_instance_id, status, messages_json, interview_start_time,"
                " created_at, updated_at) VALUES (:id, 'legacy', :instance, 'completed', :m, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": rid, "instance": uuid_a, "m": messages})


def test_null_counters_become_zero_and_not_null(database):
    seed_before(database)
    result = database.upgrade("0008_accounting")
    assert result.exit_code == 0, result.output
    row = database.rows("SELECT " + ", ".join(COUNTERS) + " FROM profiles WHERE user_id = 'legacy'")[0]
    assert all(row[c] == 0 for c in COUNTERS)
    columns = {c["name"]: c for c in sa.inspect(database.engine).get_columns("profiles")}
    assert not any(columns[c]["nullable"] for c in COUNTERS)
    with pytest.raises(sa.exc.IntegrityError):
        database.execute("UPDATE profiles SET total_responses_available = NULL")
    charged = database.rows("SELECT messages_json, charged_at FROM chat_responses")
    assert sorted((r["charged_at"] is not None, '"user"' in r["messages_json"]) for r in charged) == [(False, False), (True, True)]
    with warnings.catch_warnings():  # SQLite cannot reflect the expression index on lower(email)
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        index = {ix["name"] for ix in sa.inspect(database.engine).get_indexes("profiles")}
    assert "ix_profiles_stripe_customer_id" in index
    if database.backend == "postgresql":
        assert database.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_chat_responses_search_trgm'") == 1
    # The expression index on lower(email) survives SQLite's table rebuild.
    assert database.scalar("SELECT count(*) FROM profiles WHERE lower(email) = 'legacy@example.com'") == 1
    with pytest.raises(sa.exc.IntegrityError):
        database.execute("INSERT INTO profiles (id, user_id, email, membership, created_at, updated_at) VALUES "
                         + ("('00000000000000000000000000000009'" if database.backend == "sqlite"
                            else "('00000000-0000-0000-0000-000000000009'")
                         + ", 'other', 'LEGACY@example.com', 'free', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")


def test_downgrade_to_0005_and_up_again(database):
    seed_before(database)
    assert database.upgrade("0008_accounting").exit_code == 0
    result = database.downgrade(BEFORE)
    assert result.exit_code == 0, result.output
    columns = {c["name"]: c for c in sa.inspect(database.engine).get_columns("profiles")}
    assert "period_ends_at" not in columns and all(columns[c]["nullable"] for c in COUNTERS)
    assert "charged_at" not in {c["name"] for c in sa.inspect(database.engine).get_columns("chat_responses")}
    assert database.upgrade("0008_accounting").exit_code == 0
