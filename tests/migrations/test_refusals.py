"""Bad legacy data is refused before anything changes, naming rows as stored and the fix (D5);
a failure midway leaves no trace."""
import pytest

from tests.migrations import legacy

STRANGER = "11111111-1111-4111-8111-111111111111"


def without_fk_checks(database, sql):
    """Insert a row that breaks a foreign key, as an unchecked legacy database may hold."""
    if database.backend == "postgresql":
        database.execute("SET session_replication_role = replica; " + sql)
    else:
        database.execute(sql)  # a raw SQLite connection does not enforce foreign keys


def names(db):
    return {k: legacy.legacy_schema.q(v) for k, v in legacy.legacy_schema.names(db.spelling).items()}


def profiles_sharing_an_email(db):
    db.execute("INSERT INTO profiles (user_id, id, membership, email, created_at, updated_at) VALUES "
               "('user_2twin', '22222222-2222-4222-8222-222222222222', 'free', 'LEGACY.owner@example.com', "
               "'2025-01-01 00:00:00', '2025-01-01 00:00:00')")
    return ["'user_2twin' / 'LEGACY.owner@example.com'", "'Legacy.Owner@Example.com'",
            "give each of these profiles its own email"]


def group_mapping_to_two_profiles(db):
    # A user with its own profile (rule 1) shares Frank's address, whose profile has it (rule 2).
    db.execute(f"INSERT INTO {names(db)['user']} (id, email) VALUES ('{STRANGER}', 'FRANK@example.com')",
               "INSERT INTO profiles (user_id, id, membership, created_at, updated_at) VALUES "
               f"('{STRANGER}', '33333333-3333-4333-8333-333333333333', 'free', '2025-01-01 00:00:00', "
               "'2025-01-01 00:00:00')")
    return [f"'{STRANGER}' / 'FRANK@example.com' / '{STRANGER}'", "'frank@example.com' / 'user_2frankPlatform'",
            "merge the two profiles into one"]


def chat_without_user(db):
    without_fk_checks(db, f"INSERT INTO {names(db)['chat']} (id, \"createdAt\", messages, \"userId\") VALUES "
                          "('33333333-3333-4333-8333-333333333333', '2025-01-01 00:00:00', '[]', "
                          "'44444444-4444-4444-8444-444444444444')")
    return ["'33333333-3333-4333-8333-333333333333' / '44444444-4444-4444-8444-444444444444'",
            "point them at an existing user"]


def reservation_without_user(db):
    without_fk_checks(db, f"INSERT INTO {names(db)['reservations']} (id, \"createdAt\", details, \"userId\") VALUES "
                          "('55555555-5555-4555-8555-555555555555', '2025-01-01 00:00:00', '{}', "
                          "'66666666-6666-4666-8666-666666666666')")
    return ["'55555555-5555-4555-8555-555555555555'"]


def missing_column(db):
    db.execute("ALTER TABLE interviews DROP COLUMN use_case")
    return ['table "interviews" lacks column(s) the upgrade needs: use_case']


@pytest.mark.parametrize("break_it", [profiles_sharing_an_email, group_mapping_to_two_profiles, chat_without_user,
                                      reservation_without_user, missing_column])
def test_preflight_refuses_names_rows_as_stored_and_changes_nothing(legacy_db, break_it):
    named = break_it(legacy_db)
    before = legacy_db.fingerprint()
    result = legacy_db.upgrade()
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    for text in named:
        assert text in result.output
    assert legacy_db.fingerprint() == before


def test_merges_are_not_refusals(legacy_db):
    """Emails differing only in case, and a user with a platform profile, upgrade without a word."""
    result = legacy_db.upgrade()
    assert result.exit_code == 0, result.output
    assert "cannot be upgraded" not in result.output


def test_failure_midway_rolls_everything_back_and_a_rerun_succeeds(legacy_db):
    # A trigger makes the upgrade fail after it has archived rows, renamed and dropped columns.
    if legacy_db.backend == "postgresql":
        legacy_db.execute(
            "CREATE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER injected BEFORE UPDATE ON profiles FOR EACH ROW EXECUTE FUNCTION injected_failure()",
        )
    else:
        legacy_db.execute("CREATE TRIGGER injected BEFORE UPDATE ON profiles BEGIN "
                          "SELECT RAISE(ABORT, 'injected failure'); END")
    before = legacy_db.fingerprint()
    rows = legacy.snapshot(legacy_db.engine)
    result = legacy_db.upgrade()
    assert result.exit_code != 0
    assert "injected failure" in str(result.exception) + result.output
    assert legacy_db.fingerprint() == before
    assert legacy.snapshot(legacy_db.engine) == rows

    legacy_db.execute("DROP TRIGGER injected ON profiles" if legacy_db.backend == "postgresql"
                      else "DROP TRIGGER injected")
    if legacy_db.backend == "postgresql":
        legacy_db.execute("DROP FUNCTION injected_failure()")
    result = legacy_db.upgrade()
    assert result.exit_code == 0, result.output
    assert legacy_db.scalar("SELECT count(*) FROM chat_responses") == 6
    assert legacy_db.flask("franko", "verify").exit_code == 0
