"""Revision 0009_insights (from 0008): the insight and integration columns, the reach backfill, the deliveries table, and back."""
import sqlalchemy as sa

BEFORE = "0008_accounting"
STATUSES = [  # (completion_status, status) -> expected (questions_reached, questions_answered)
    ("2/3", "in_progress", (3, 2)),
    ("3/3", "completed", (3, 3)),
    ("0/3", "abandoned", (1, 0)),
    ("1/4", "completed", (4, 1)),  # completed (an older agent closed early): every question was reached
    ("12/12", "in_progress", (12, 12)),
    ("weird", "completed", (None, None)),
    ("2/x", "in_progress", (None, None)),
    (None, "completed", (None, None)),
]


def uid(database, n: int) -> str:
    text = f"00000000-0000-0000-0000-{n:012d}"
    return text.replace("-", "") if database.backend == "sqlite" else text


def seed_before(database):
    assert database.upgrade(BEFORE).exit_code == 0
    with database.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO profiles (id, user_id, email, membership, created_at, updated_at)"
                             " VALUES (:id, 'owner', 'owner@example.com', 'free', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                     {"id": uid(database, 1)})
        conn.execute(sa.text("INSERT INTO chat_instances (id, user_id, created_at, updated_at)"
                             " VALUES (:id, 'owner', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": uid(database, 1)})
        for n, (completion, status, _) in enumerate(STATUSES, start=10):
            conn.execute(sa.text(
                "INSERT INTO chat_responses (id, user_id, chat_instance_id, status, completion_status, created_at,"
                " updated_at) VALUES (:id, 'owner', :instance, :status, :completion, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)"), {"id": uid(database, n), "instance": uid(database, 1), "status": status,
                                         "completion": completion})


def test_reach_is_backfilled_from_completion_status(database):
    seed_before(database)
    result = database.upgrade("0009_insights")
    assert result.exit_code == 0, result.output
    found = {r["completion_status"]: (r["questions_reached"], r["questions_answered"]) for r in database.rows(
        "SELECT completion_status, questions_reached, questions_answered FROM chat_responses")}
    assert found == {completion: expected for completion, _, expected in STATUSES}
    profile = database.rows("SELECT notify_mode, quota_notice_level, digest_sent_at FROM profiles")[0]
    assert dict(profile) == {"notify_mode": "off", "quota_notice_level": 0, "digest_sent_at": None}


def test_deliveries_keep_their_log_when_a_response_goes_and_go_with_their_instance(database):
    seed_before(database)
    assert database.upgrade("0009_insights").exit_code == 0
    with database.engine.begin() as conn:
        if database.backend == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.execute(sa.text("INSERT INTO webhook_deliveries (id, chat_instance_id, chat_response_id, event, url, body,"
                             " created_at, updated_at) VALUES (:id, :instance, :response, 'response.completed',"
                             " 'https://example.org/hook', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                     {"id": uid(database, 99), "instance": uid(database, 1), "response": uid(database, 10)})
        conn.execute(sa.text("DELETE FROM chat_responses WHERE id = :id"), {"id": uid(database, 10)})
        assert conn.execute(sa.text("SELECT chat_response_id FROM webhook_deliveries")).scalar() is None
        conn.execute(sa.text("DELETE FROM chat_responses"))
        conn.execute(sa.text("DELETE FROM chat_instances"))
        assert conn.execute(sa.text("SELECT count(*) FROM webhook_deliveries")).scalar() == 0


def test_downgrade_to_0008_gives_back_the_same_database(database):
    seed_before(database)
    columns_before = {t: [c["name"] for c in sa.inspect(database.engine).get_columns(t)]
                      for t in ("profiles", "chat_instances", "chat_responses")}
    rows_before = database.rows("SELECT * FROM chat_responses ORDER BY id")
    assert database.upgrade("0009_insights").exit_code == 0
    result = database.downgrade(BEFORE)
    assert result.exit_code == 0, result.output
    assert database.rows("SELECT * FROM chat_responses ORDER BY id") == rows_before
    tables = set(sa.inspect(database.engine).get_table_names())
    assert "webhook_deliveries" not in tables
    assert {"summary", "questions_reached"}.isdisjoint(c["name"] for c in sa.inspect(database.engine).get_columns("chat_responses"))
    assert {t: [c["name"] for c in sa.inspect(database.engine).get_columns(t)] for t in columns_before} == columns_before
    assert database.upgrade("0009_insights").exit_code == 0
