"""Bad legacy data is refused before anything changes (D5); a failure midway leaves no trace."""
import pytest

from tests.migrations import legacy


def without_fk_checks(database, sql):
    """Insert a row that breaks a foreign key, as an unchecked legacy database may hold."""
    if database.backend == "postgresql":
        database.execute("SET session_replication_role = replica; " + sql)
    else:
        database.execute(sql)  # a raw SQLite connection does not enforce foreign keys


def dup_user_emails(db):
    db.execute("INSERT INTO \"user\" (id, email) VALUES ('11111111-1111-4111-8111-111111111111', 'BOB@Example.com')")
    return "11111111-1111-4111-8111-111111111111"


def user_email_of_other_profile(db):
    db.execute("INSERT INTO \"user\" (id, email) VALUES ('22222222-2222-4222-8222-222222222222', "
               "'legacy.owner@example.com')")
    return "22222222-2222-4222-8222-222222222222"


def chat_without_user(db):
    without_fk_checks(db, "INSERT INTO chat (id, \"createdAt\", messages, \"userId\") VALUES "
                          "('33333333-3333-4333-8333-333333333333', '2025-01-01 00:00:00', '[]', "
                          "'44444444-4444-4444-8444-444444444444')")
    return "33333333-3333-4333-8333-333333333333"


def reservation_without_user(db):
    without_fk_checks(db, "INSERT INTO reservations (id, \"createdAt\", details, \"userId\") VALUES "
                          "('55555555-5555-4555-8555-555555555555', '2025-01-01 00:00:00', '{}', "
                          "'66666666-6666-4666-8666-666666666666')")
    return "55555555-5555-4555-8555-555555555555"


def missing_column(db):
    db.execute("ALTER TABLE interviews DROP COLUMN use_case")
    return "interviews lacks column(s) the upgrade needs: use_case"


@pytest.mark.parametrize("break_it", [dup_user_emails, user_email_of_other_profile, chat_without_user,
                                      reservation_without_user, missing_column])
def test_preflight_refuses_and_changes_nothing(legacy_db, break_it):
    named = break_it(legacy_db)
    before = legacy_db.fingerprint()
    result = legacy_db.upgrade()
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert named in result.output
    assert legacy_db.fingerprint() == before


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
    result = legacy_db.upgrade()
    assert result.exit_code == 0, result.output
    assert legacy_db.scalar("SELECT count(*) FROM chat_responses") == 3
    assert legacy_db.flask("franko", "verify").exit_code == 0
