"""A legacy database full of awkward rows: every row accounted for, forwards and back (D1–D6)."""
import json
import uuid

import pytest

from franko.auth.passwords import is_legacy_hash
from franko.auth.services import authenticate
from franko.extensions import db
from franko.models import Profile
from tests.migrations import legacy

BASELINE = "0001_legacy_baseline"


def schema(database) -> dict:
    """Every table's columns, keys and indexes as reflected, but Alembic's own table."""
    import sqlalchemy as sa

    inspector = sa.inspect(database.engine)
    return {t: (repr(inspector.get_columns(t)), repr(inspector.get_pk_constraint(t)),
                repr(inspector.get_foreign_keys(t)), repr(inspector.get_indexes(t)))
            for t in inspector.get_table_names() if t != "alembic_version"}


def test_baseline_leaves_a_legacy_database_alone(legacy_db):
    rows, tables = legacy.snapshot(legacy_db.engine), schema(legacy_db)
    assert legacy_db.upgrade(BASELINE).exit_code == 0
    assert legacy_db.scalar("SELECT version_num FROM alembic_version") == BASELINE
    assert legacy.snapshot(legacy_db.engine) == rows
    assert schema(legacy_db) == tables


def test_profiles_columns_renamed_with_values_kept(legacy_db):
    assert legacy_db.upgrade().exit_code == 0
    row = legacy_db.rows("SELECT * FROM profiles WHERE user_id = 'user_2abcLegacyProvider'")[0]
    assert row["organisation_name"] == legacy.AWKWARD
    assert row["organisation_description"] == legacy.AWKWARD
    assert row["organisation_url"] == "https://example.com/ä?q='1'"
    assert bool(row["organisation_description_completed"]) is True
    assert (row["total_responses_used"], row["total_responses_used_this_month"],
            row["total_responses_available"], row["monthly_responses_quota"]) == (321, 21, 979, 1000)
    assert row["membership"] == "pro"
    assert row["email"] == "Legacy.Owner@Example.com"
    assert "agent_interviewer_name" not in row and "voice_id" not in row and "company_name" not in row
    assert (row["total_chat_instances_used"], row["total_chat_instances_available"]) == (2, 50)


def test_dropped_profile_columns_are_archived(legacy_db):
    legacy_db.upgrade()
    archived = {r["source_pk"]: json.loads(r["row_json"]) for r in legacy_db.rows(
        "SELECT source_pk, row_json FROM legacy_archive WHERE source_table = 'profiles'")}
    assert archived["user_2richVoiceAgent"] == {"agent_interviewer_name": "Ava 🎙", "voice_id": 'voice-"42"'}
    assert archived[legacy_db.info["ids"]["carol"]] == {"voice_id": "v-carol"}
    assert "user_2abcLegacyProvider" not in archived  # nothing to keep: both were null


def test_users_become_profiles_with_email_and_hash(legacy_db):
    ids = legacy_db.info["ids"]
    legacy_db.upgrade()
    profiles = {r["user_id"]: r for r in legacy_db.rows("SELECT * FROM profiles")}
    assert len(profiles) == 3 + 4  # three legacy profiles, four users without one
    alice = profiles[ids["alice"]]
    assert alice["email"] == "Alice.Mixed@Example.COM"
    assert alice["password_hash"].startswith("$2b$")
    assert profiles[ids["bob"]]["password_hash"].startswith("$2a$")
    assert profiles[ids["dave"]]["password_hash"] is None
    assert alice["membership"] == "free"
    assert (alice["monthly_responses_quota"], alice["total_responses_available"],
            alice["total_chat_instances_available"], alice["total_chat_instances_used"]) == (10, 10, 1, 2)
    # Carol already had a profile under her uuid: merged, keeping its plan, gaining email and hash.
    carol = profiles[ids["carol"]]
    assert carol["email"] == "carol@example.com" and carol["membership"] == "starter"
    assert carol["first_name"] == "Carol" and carol["password_hash"].startswith("$2b$")
    assert (carol["total_chat_instances_used"], carol["total_chat_instances_available"]) == (1, 5)


@pytest.mark.parametrize("email,password", [("alice.mixed@example.com", legacy.PASSWORD_2B),
                                            ("BOB@example.com", legacy.PASSWORD_2A)])
def test_migrated_user_logs_in_with_old_password(legacy_db, email, password):
    legacy_db.upgrade()
    with legacy_db.app.app_context():
        assert authenticate(email, "wrong password") is None
        profile = authenticate(email, password)
        assert profile is not None
        assert not is_legacy_hash(profile.password_hash)  # re-hashed with the app's scheme
        db.session.expire_all()
        assert authenticate(email, password).user_id == profile.user_id
        db.session.remove()


def test_chats_become_instances_with_same_ids_and_messages(legacy_db):
    chats = legacy_db.info["chats"]
    before = {r["id"]: r for r in legacy.snapshot(legacy_db.engine)["chat"]}
    legacy_db.upgrade()
    with legacy_db.app.app_context():
        from franko.models import ChatInstance

        for key, chat_id in chats.items():
            instance = db.session.get(ChatInstance, uuid.UUID(chat_id))
            assert instance is not None, key
            legacy_row = before[chat_id]
            assert json.loads(instance.messages) == json.loads(legacy.normalise(legacy_row["messages"])
                                                               if not isinstance(legacy_row["messages"], str)
                                                               else legacy_row["messages"])
            assert instance.user_id == str(legacy_row["userId"])
            assert instance.created_at == instance.updated_at
            assert instance.interview_guide is None
        big = db.session.get(ChatInstance, uuid.UUID(chats["big"]))
        assert len(big.messages) > 100_000
        db.session.remove()


def test_interviews_become_completed_responses(legacy_db):
    interviews = legacy_db.info["interviews"]
    legacy_db.upgrade()
    responses = {str(uuid.UUID(str(r["id"]))): r for r in legacy_db.rows("SELECT * FROM chat_responses")}
    assert set(responses) == {interviews["i1"], interviews["i2"], interviews["i3"]}  # not the orphan
    r = responses[interviews["i1"]]
    assert r["status"] == "completed"
    assert (r["interviewee_first_name"], r["interviewee_second_name"], r["interviewee_email"]) == \
        ("Zoë", "O'Brien", "zoe@example.com")
    assert r["total_interview_minutes"] == 17
    assert json.loads(r["messages_json"])[1]["content"] == legacy.AWKWARD
    assert r["clean_transcript"].endswith(legacy.AWKWARD)
    guides = sorted(g for (g,) in [tuple(x.values()) for x in legacy_db.rows(
        "SELECT interview_guide FROM chat_instances WHERE interview_guide IS NOT NULL")])
    assert guides == sorted(["# Churn research (imported)", f"# {legacy.AWKWARD} (imported)"])
    # the two churn interviews share one instance
    assert responses[interviews["i1"]]["chat_instance_id"] == responses[interviews["i2"]]["chat_instance_id"]
    archived = legacy_db.rows("SELECT source_pk, row_json FROM legacy_archive WHERE source_table = 'interviews'")
    assert {a["source_pk"] for a in archived} == set(interviews.values())
    orphan = next(json.loads(a["row_json"]) for a in archived if a["source_pk"] == interviews["orphan"])
    assert orphan["analysis_output"] == "long analysis" and orphan["interview_audio_link"].endswith("/orphan")
    # imported responses are not charged
    owner = legacy_db.rows("SELECT total_responses_available FROM profiles WHERE user_id = 'user_2abcLegacyProvider'")
    assert owner[0]["total_responses_available"] == 979


def test_deprecated_tables_archived_whole_and_dropped(legacy_db):
    before = legacy.snapshot(legacy_db.engine)
    legacy_db.upgrade()
    for table in ("todos", "creator_conversations", "reservations", "user", "interviews"):
        archived = legacy_db.rows(f"SELECT source_pk, row_json FROM legacy_archive WHERE source_table = '{table}'")
        assert len(archived) == len(before[table]), table
        by_pk = {a["source_pk"]: json.loads(a["row_json"]) for a in archived}
        for row in before[table]:
            assert str(row["id"]) in by_pk, (table, row["id"])
            kept = by_pk[str(row["id"])]
            assert set(kept) == set(row), table  # every column, whole
    with legacy_db.engine.connect() as conn:
        import sqlalchemy as sa

        names = set(sa.inspect(conn).get_table_names())
    assert not names & {"todos", "creator_conversations", "reservations", "user", "interviews", "chat"}


def test_upgrade_report_reconciles_every_row(legacy_db):
    result = legacy_db.flask("franko", "upgrade", "--report")
    assert result.exit_code == 0, result.output
    assert "MISMATCH" not in result.output
    assert "] archiving interviews" in result.output  # each long step shows as a progress line
    for table in ("profiles", "user", "chat", "interviews", "todos", "creator_conversations", "reservations"):
        assert f"\n  {table}" in result.output
    assert result.output.count(" ok ") == 7
    assert legacy_db.flask("franko", "verify").exit_code == 0


def comparable(engine, tables):
    """Snapshot without what is legitimately new on each run (archive times and serial ids)."""
    snap = legacy.snapshot(engine, tables)
    for row in snap.get("legacy_archive", []):
        row.pop("archived_at")
    for row in snap.get("profiles", []):
        if row.get("password_hash") is not None or row["user_id"].count("-") == 4:
            row.pop("created_at"), row.pop("updated_at")  # profiles made from users are dated on creation
    for table in snap:
        snap[table] = sorted(snap[table], key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return snap


TARGET_TABLES = ["profiles", "chat_instances", "chat_responses", "legacy_archive"]


def test_upgrade_downgrade_upgrade_round_trip(legacy_db):
    before = legacy.snapshot(legacy_db.engine)
    assert legacy_db.upgrade().exit_code == 0
    first = comparable(legacy_db.engine, TARGET_TABLES)
    result = legacy_db.downgrade(BASELINE)
    assert result.exit_code == 0, result.output
    assert legacy.snapshot(legacy_db.engine) == before
    assert legacy_db.upgrade().exit_code == 0
    assert comparable(legacy_db.engine, TARGET_TABLES) == first


@pytest.mark.parametrize("stop_at", ["0002_profiles_accounts", "0003_chat_instances", "0004_chat_responses"])
def test_upgrade_from_an_intermediate_revision(legacy_db, stop_at):
    assert legacy_db.upgrade(stop_at).exit_code == 0
    assert legacy_db.scalar("SELECT version_num FROM alembic_version") == stop_at
    assert legacy_db.upgrade().exit_code == 0
    assert legacy_db.scalar("SELECT count(*) FROM chat_responses") == 3
    assert legacy_db.flask("franko", "verify").exit_code == 0


def test_older_enum_without_starter_gains_it(database):
    legacy.create_schema(database.engine, with_starter=False)
    assert database.upgrade().exit_code == 0
    if database.backend == "postgresql":
        labels = [r["enumlabel"] for r in database.rows(
            "SELECT enumlabel FROM pg_enum JOIN pg_type ON pg_type.oid = enumtypid "
            "WHERE typname = 'membership' ORDER BY enumsortorder")]
        assert labels == ["free", "starter", "pro"]
    with database.app.app_context():
        profile = Profile(email="s@example.com", membership="starter")
        db.session.add(profile)
        db.session.commit()
        assert db.session.get(Profile, profile.user_id).membership == "starter"
        db.session.remove()


def test_legacy_database_without_the_chatbot_tables_and_with_tables_of_its_own(database):
    """Drizzle's half only (the chatbot merged later), plus a table the spec does not name."""
    import sqlalchemy as sa

    ddl = legacy.legacy_schema.ddl(database.backend)
    statements = [ddl[t] for t in ("profiles", "todos", "interviews", "creator_conversations")]
    if database.backend == "postgresql":
        statements.insert(0, ddl["membership"])
    database.execute(*statements, "CREATE TABLE office_notes (id integer PRIMARY KEY, body text)",
                     "INSERT INTO office_notes VALUES (1, 'kept as it is')")
    with database.engine.begin() as conn:
        legacy.insert(conn, "profiles", user_id="user_2solo", id=legacy.uid(), membership="free",
                      email="solo@example.com", created_at=legacy.T0, updated_at=legacy.T0)
    result = database.upgrade()
    assert result.exit_code == 0, result.output
    assert database.scalar("SELECT email FROM profiles") == "solo@example.com"
    assert database.scalar("SELECT body FROM office_notes") == "kept as it is"
    names = set(sa.inspect(database.engine).get_table_names())
    assert {"profiles", "chat_instances", "chat_responses", "office_notes"} <= names
    assert not names & {"user", "chat", "reservations", "todos", "interviews", "creator_conversations"}
    assert database.flask("franko", "verify").exit_code == 0
