"""A legacy database as production has them: every row accounted for, forwards and back (D2–D4, D6)."""
import json
import uuid

import sqlalchemy as sa

from franko.extensions import db
from tests.migrations import legacy

BASELINE = "0001_legacy_baseline"


def schema(database) -> dict:
    """Every table's columns, keys and indexes as reflected, but Alembic's own and the archive."""
    inspector = sa.inspect(database.engine)
    return {t: (repr(inspector.get_columns(t)), repr(inspector.get_pk_constraint(t)),
                repr(inspector.get_foreign_keys(t)), repr(inspector.get_indexes(t)))
            for t in inspector.get_table_names() if t not in ("alembic_version", "legacy_archive")}


def test_baseline_changes_no_legacy_table_and_records_what_it_found(legacy_db):
    rows, tables = legacy.snapshot(legacy_db.engine), schema(legacy_db)
    assert legacy_db.upgrade(BASELINE).exit_code == 0
    assert legacy_db.scalar("SELECT version_num FROM alembic_version") == BASELINE
    after = legacy.snapshot(legacy_db.engine)
    record = after.pop("legacy_archive")
    assert after == rows
    assert schema(legacy_db) == tables
    assert [r["source_table"] for r in record] == ["franko:baseline"]
    facts = json.loads(record[0]["row_json"])
    assert facts["found_legacy"] is True and facts["chatbot_tables"] == legacy_db.spelling


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


def test_double_encoded_chats_are_unwrapped_and_their_originals_archived(legacy_db):
    chats, spelling = legacy_db.info["chats"], legacy_db.spelling
    chat_table = legacy.legacy_schema.names(spelling)["chat"]
    assert legacy_db.upgrade().exit_code == 0
    stored = {str(uuid.UUID(str(r["id"]))): r for r in legacy_db.rows("SELECT * FROM chat_instances")}
    assert json.loads(stored[chats["big"]]["messages"]) == legacy.BIG_CHAT
    assert json.loads(stored[chats["empty"]]["messages"]) == []
    assert json.loads(stored[chats["awkward"]]["messages"])[0]["content"] == legacy.AWKWARD
    assert stored[chats["single"]]["messages"] == '[{"role":"user","content":"plain json"}]'
    for chat in stored.values():
        if chat["messages"] is not None:
            assert isinstance(json.loads(chat["messages"]), list)  # never a JSON string any more
        assert chat["created_at"] == chat["updated_at"]
    archived = {r["source_pk"]: json.loads(r["row_json"]) for r in legacy_db.rows(
        "SELECT source_pk, row_json FROM legacy_archive WHERE source_table = :t", t=chat_table)}
    assert chats["single"] not in archived  # nothing changed but its type
    original = archived[chats["awkward"]]["messages"]
    if legacy_db.backend == "sqlite":
        original = json.loads(original)
    assert isinstance(original, str) and json.loads(original)[0]["content"] == legacy.AWKWARD


def test_legacy_chats_become_instances_without_guide_keeping_ids(legacy_db):
    chats = legacy_db.info["chats"]
    legacy_db.upgrade()
    with legacy_db.app.app_context():
        from franko.models import ChatInstance

        for key, chat_id in chats.items():
            instance = db.session.get(ChatInstance, uuid.UUID(chat_id))
            assert instance is not None, key
            assert instance.interview_guide is None
        assert len(db.session.get(ChatInstance, uuid.UUID(chats["big"])).messages) > 100_000
        db.session.remove()


def responses(database) -> dict:
    return {str(uuid.UUID(str(r["id"]))): r for r in database.rows("SELECT * FROM chat_responses")}


def test_interviews_become_completed_responses(legacy_db):
    interviews = legacy_db.info["interviews"]
    legacy_db.upgrade()
    found = responses(legacy_db)
    assert set(found) == set(interviews.values()) - {interviews["orphan"]}
    r = found[interviews["i1"]]
    assert r["status"] == "completed"
    assert (r["interviewee_first_name"], r["interviewee_second_name"], r["interviewee_email"]) == \
        ("Zoë", "O'Brien", "zoe@example.com")
    assert r["total_interview_minutes"] == 17
    assert json.loads(r["messages_json"])[1]["content"] == legacy.AWKWARD  # JSON stays JSON
    assert r["clean_transcript"].endswith(legacy.AWKWARD)
    # imported responses are not charged
    owner = legacy_db.rows("SELECT total_responses_available FROM profiles WHERE user_id = 'user_2abcLegacyProvider'")
    assert owner[0]["total_responses_available"] == 979


def test_use_cases_grouped_case_insensitively_and_titled_by_the_most_frequent_spelling(legacy_db):
    interviews = legacy_db.info["interviews"]
    legacy_db.upgrade()
    found = responses(legacy_db)
    churn = {found[interviews[k]]["chat_instance_id"] for k in ("i1", "i2", "plain")}
    assert len(churn) == 1  # `churn`, `Churn ` and `churn` are one use case
    onboarding = {found[interviews[k]]["chat_instance_id"] for k in ("no_turns", "skewed")}
    assert len(onboarding) == 1
    guides = sorted(r["interview_guide"] for r in legacy_db.rows(
        "SELECT interview_guide FROM chat_instances WHERE interview_guide IS NOT NULL"))
    # `churn` twice beats `Churn ` once; Onboarding/onboarding tie: the earliest interview's spelling.
    assert guides == sorted(["# churn (imported)", f"# {legacy.AWKWARD} (imported)", "# Onboarding (imported)"])


def test_plain_text_transcripts_become_messages(legacy_db):
    interviews = legacy_db.info["interviews"]
    legacy_db.upgrade()
    r = responses(legacy_db)[interviews["plain"]]
    messages = json.loads(r["messages_json"])
    assert [(m["role"], m["content"]) for m in messages] == [
        ("assistant", "Hi Zoë, thanks for joining. Why did you cancel?"),
        ("user", "Mostly the price.\nIt went up twice last year."),
        ("assistant", "What would have kept you?"),  # the row's agent_name, Ava
        ("user", "A cheaper plan: fewer seats."),
    ]
    assert [m["at"] for m in messages] == ["2025-03-01T12:30:00Z", "2025-03-01T12:30:07Z",
                                           "2025-03-01T12:31:15Z", "2025-03-01T12:31:40Z"]
    assert r["clean_transcript"] == legacy.PLAIN_TRANSCRIPT  # the cleaned copy was NULL
    text_only = responses(legacy_db)[interviews["no_turns"]]
    assert text_only["messages_json"] == legacy.NO_TURNS_TRANSCRIPT  # no turn in it: kept as text


def test_interview_times_that_disagree_are_reconciled_and_listed(legacy_db):
    interviews = legacy_db.info["interviews"]
    result = legacy_db.flask("franko", "upgrade", "--report")
    assert result.exit_code == 0, result.output
    r = responses(legacy_db)[interviews["skewed"]]
    assert r["interview_end_time"] > r["interview_start_time"]
    assert r["total_interview_minutes"] == 30  # the end became start + minutes
    assert interviews["skewed"] in result.output
    assert legacy_db.flask("franko", "verify").exit_code == 0


def test_interviews_without_an_owner_profile_are_archived_only_and_reported(legacy_db):
    interviews = legacy_db.info["interviews"]
    result = legacy_db.flask("franko", "upgrade", "--report")
    assert interviews["orphan"] not in responses(legacy_db)
    archived = legacy_db.rows("SELECT source_pk, row_json FROM legacy_archive WHERE source_table = 'interviews'")
    assert {a["source_pk"] for a in archived} == set(interviews.values())
    orphan = next(json.loads(a["row_json"]) for a in archived if a["source_pk"] == interviews["orphan"])
    assert orphan["analysis_output"] == "long analysis" and orphan["interview_audio_link"].endswith("/orphan")
    assert interviews["orphan"] in result.output and "user_2ghostNoProfile" in result.output


def test_deprecated_tables_archived_whole_and_dropped(legacy_db):
    names = legacy.legacy_schema.names(legacy_db.spelling)
    before = legacy.snapshot(legacy_db.engine)
    legacy_db.upgrade()
    for logical in ("todos", "creator_conversations", "reservations", "user", "interviews"):
        table = names[logical]
        archived = legacy_db.rows("SELECT source_pk, row_json FROM legacy_archive WHERE source_table = :t", t=table)
        assert len(archived) == len(before[table]), table
        by_pk = {a["source_pk"]: json.loads(a["row_json"]) for a in archived}
        for row in before[table]:
            assert set(by_pk[str(row["id"])]) == set(row), table  # every column, whole
    left = set(sa.inspect(legacy_db.engine).get_table_names())
    assert not left & set(names.values()) - {"profiles"}


def test_contradictory_counters_are_reconciled_archived_and_reported(legacy_db):
    result = legacy_db.flask("franko", "upgrade", "--report")
    assert result.exit_code == 0, result.output
    row = legacy_db.rows("SELECT * FROM profiles WHERE user_id = 'user_2counterMess'")[0]
    assert (row["total_responses_used"], row["total_responses_used_this_month"],
            row["total_responses_available"]) == (50, 50, 0)  # lifetime raised to this month's
    archived = json.loads(legacy_db.scalar(
        "SELECT row_json FROM legacy_archive WHERE source_table = 'profiles:counters' AND source_pk = 'user_2counterMess'"))
    assert archived == {"minutes_total_used": 7, "minutes_used_this_month": 50, "minutes_available": None,
                        "monthly_minutes": 10}
    assert "user_2counterMess" in result.output
    assert legacy_db.flask("franko", "verify").exit_code == 0


def test_upgrade_report_reconciles_every_row_and_lists_what_it_left_alone(legacy_db):
    result = legacy_db.flask("franko", "upgrade", "--report")
    assert result.exit_code == 0, result.output
    assert "MISMATCH" not in result.output
    assert "] archiving interviews" in result.output  # each long step shows as a progress line
    for table in legacy.tables(legacy_db.spelling):
        assert f"\n  {table} " in result.output, table
    assert result.output.count(" ok ") == 7
    assert legacy.UNKNOWN_TABLE in result.output
    if legacy_db.backend == "postgresql":
        assert "drizzle" in result.output
    assert legacy_db.scalar(f"SELECT body FROM {legacy.UNKNOWN_TABLE}") == "kept as it is"
    verify = legacy_db.flask("franko", "verify")
    assert verify.exit_code == 0, verify.output


def test_upgrading_twice_is_a_no_op(legacy_db):
    assert legacy_db.upgrade().exit_code == 0
    before = legacy_db.fingerprint()
    assert legacy_db.upgrade().exit_code == 0
    assert legacy_db.fingerprint() == before


def comparable(engine, tables):
    """Snapshot without what is legitimately new on each run (archive times, dates of users' profiles)."""
    snap = legacy.snapshot(engine, tables)
    for row in snap.get("legacy_archive", []):
        row.pop("archived_at")
    for table in snap:
        snap[table] = sorted(snap[table], key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return snap


TARGET_TABLES = ["profiles", "chat_instances", "chat_responses", "legacy_archive"]


def test_upgrade_downgrade_upgrade_round_trip(legacy_db):
    before = legacy.snapshot(legacy_db.engine)
    assert legacy_db.upgrade().exit_code == 0
    first = comparable(legacy_db.engine, TARGET_TABLES)
    result = legacy_db.downgrade("base")
    assert result.exit_code == 0, result.output
    assert legacy.snapshot(legacy_db.engine) == before
    assert legacy_db.upgrade().exit_code == 0
    second = comparable(legacy_db.engine, TARGET_TABLES)
    # Profiles made from users without chats are dated by the upgrade: the only difference allowed.
    undated = {legacy_db.info["ids"][k] for k in ("dave", "erin")}
    for snap in (first, second):
        for row in snap["profiles"]:
            if row["user_id"] in undated:
                row.pop("created_at"), row.pop("updated_at")
    assert second == first


def test_upgrade_from_each_intermediate_revision(legacy_db):
    for stop_at in ("0002_profiles_accounts", "0003_chat_instances", "0004_chat_responses"):
        assert legacy_db.upgrade(stop_at).exit_code == 0
        assert legacy_db.scalar("SELECT version_num FROM alembic_version") == stop_at
    assert legacy_db.upgrade().exit_code == 0
    assert legacy_db.scalar("SELECT count(*) FROM chat_responses") == 6
    assert legacy_db.flask("franko", "verify").exit_code == 0
    assert legacy_db.downgrade("base").exit_code == 0


def enum_labels(database) -> list[str]:
    return [r["enumlabel"] for r in database.rows(
        "SELECT enumlabel FROM pg_enum JOIN pg_type ON pg_type.oid = enumtypid "
        "WHERE typname = 'membership' ORDER BY enumsortorder")] if database.backend == "postgresql" else []


def test_older_enum_without_starter_gains_it_and_loses_it_again(database):
    legacy.create_schema(database.engine, with_starter=False)
    legacy.populate(database.engine, carol_plan="pro")
    before = legacy.snapshot(database.engine)
    assert database.upgrade().exit_code == 0
    if database.backend == "postgresql":
        assert enum_labels(database) == ["free", "starter", "pro"]
    with database.app.app_context():
        from franko.models import Profile

        profile = Profile(user_id="user_2newStarter", email="s@example.com", membership="starter")
        db.session.add(profile)
        db.session.commit()
        assert db.session.get(Profile, profile.user_id).membership == "starter"
        db.session.remove()
    if database.backend == "postgresql":  # the legacy type cannot hold 'starter': refused, nothing lost
        refused = database.downgrade("base")
        assert refused.exit_code != 0 and "user_2newStarter" in refused.output + str(refused.exception)
        assert database.scalar("SELECT membership FROM profiles WHERE user_id = 'user_2newStarter'") == "starter"
    database.execute("DELETE FROM profiles WHERE user_id = 'user_2newStarter'")
    assert database.downgrade("base").exit_code == 0
    assert enum_labels(database) == (["free", "pro"] if database.backend == "postgresql" else [])
    assert legacy.snapshot(database.engine) == before
