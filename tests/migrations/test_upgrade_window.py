"""The upgrade window (§13): `flask franko upgrade` shows its steps, `--dry-run` changes nothing and
reports what the real run reports, backfills come from the import's own pass, and the search index
is built after the commit (CONCURRENTLY on PostgreSQL) while the search already works."""
import re
import threading
import time

import pytest
import sqlalchemy as sa

from tests.databases import BACKENDS

SEARCH_INDEX = "ix_chat_responses_search_trgm"
needs_postgresql = pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TEST_DATABASE_URL (CREATE INDEX CONCURRENTLY)")


def head(database) -> str:
    """The latest revision, as Alembic's script directory has it."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    with database.app.app_context():
        return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()


def comparable(report: str) -> str:
    """The report without what differs between any two runs: durations and clock times."""
    report = re.sub(r"\d+\.\d+s", "<t>s", report)
    report = re.sub(r"\d\d:\d\d:\d\d UTC", "<clock> UTC", report)
    return "\n".join(line for line in report.splitlines() if not line.startswith("Dry run:"))


def test_dry_run_changes_nothing_and_reports_what_the_real_run_reports(legacy_db):
    before = legacy_db.fingerprint()
    dry = legacy_db.flask("franko", "upgrade", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert legacy_db.fingerprint() == before  # byte for byte: pg_dump's output, or the SQLite file
    assert "Dry run: everything above was rolled back; the database is unchanged." in dry.stdout
    assert "alembic_version" not in sa.inspect(legacy_db.engine).get_table_names()

    real = legacy_db.flask("franko", "upgrade")
    assert real.exit_code == 0, real.output
    assert legacy_db.scalar("SELECT version_num FROM alembic_version") == head(legacy_db)
    assert comparable(dry.stdout) == comparable(real.stdout)
    # The report is the reconciled one, with the steps and the window.
    assert "Reconciliation (every legacy row accounted for):" in real.stdout
    assert "MISMATCH" not in real.stdout
    assert "0004_chat_responses" in real.stdout and "importing interviews as responses" in real.stdout
    assert "Locked window" in real.stdout
    if legacy_db.backend == "postgresql":
        assert f"{SEARCH_INDEX} (CREATE INDEX CONCURRENTLY)" in real.stdout and " ready at " in real.stdout


def test_dry_run_of_a_refused_database_changes_nothing(legacy_db):
    legacy_db.execute("UPDATE profiles SET email = 'FRANK@example.com' WHERE email = 'counters@example.com'")
    before = legacy_db.fingerprint()
    result = legacy_db.flask("franko", "upgrade", "--dry-run")
    assert result.exit_code != 0
    assert "profiles share an email" in result.output and "FRANK@example.com" in result.output, result.output
    assert legacy_db.fingerprint() == before


@pytest.mark.parametrize("spelling", ["User"])
def test_progress_names_each_step_with_its_revision_rows_and_time(legacy_db):
    result = legacy_db.flask("franko", "upgrade", "--no-report")
    assert result.exit_code == 0, result.output
    progress = result.stderr
    latest = head(legacy_db)
    assert re.search(rf"Upgrading through \d+ revision\(s\), 0001_legacy_baseline → {latest}", progress), progress
    step = re.compile(r"^\s+\[\s*\d+\.\ds\] (\S+)\s+(.+?)\s+([\d,]+) rows\s+\d+\.\ds", re.M)
    steps = [(m[1], m[2].strip(), int(m[3].replace(",", ""))) for m in step.finditer(progress)]
    names = [(revision, name) for revision, name, _ in steps]
    assert ("0002_profiles_accounts", "preflight: checking the legacy data") in names
    assert ("0003_chat_instances", "archiving and dropping User") in names
    assert [s for s in names if s[0] == "0005_stripe_events"] == [("0005_stripe_events", "schema changes")]
    assert any(revision == latest for revision, _ in names)
    rows = dict(((revision, name), n) for revision, name, n in steps)
    # Each imported interview is one row written by the import's step (6 of the 7 have an owner).
    assert rows[("0004_chat_responses", "importing interviews as responses")] >= 6
    assert "Committed after" in progress
    # The report (stdout) lists the same steps; --no-report leaves out only the row counts.
    assert "Rows per table" not in result.stdout and "0004_chat_responses" in result.stdout


def backfilled(database) -> list:
    return [tuple(row.values()) for row in database.rows(
        "SELECT CAST(id AS text) AS id, charged_at, guide_version, questions_reached, questions_answered, "
        "questions_skipped, completion_status FROM chat_responses ORDER BY 1")]


def guide_versions(database) -> list:
    return [tuple(row.values()) for row in database.rows(
        "SELECT CAST(chat_instance_id AS text) AS i, number, guide FROM guide_versions ORDER BY 1, 2")]


def test_backfills_from_the_import_pass_equal_the_second_passes(legacy_db):
    """One run (the import notes the backfills) and two runs (0004, then the revisions' own passes) agree."""
    assert legacy_db.upgrade().exit_code == 0
    one_run = backfilled(legacy_db), guide_versions(legacy_db), legacy_db.scalar("SELECT count(*) FROM response_questions")
    assert any(row[1] is not None for row in one_run[0]) and one_run[1]  # something was charged, versions exist
    assert legacy_db.downgrade("base").exit_code == 0
    assert legacy_db.upgrade("0004_chat_responses").exit_code == 0
    assert legacy_db.upgrade().exit_code == 0  # a new run: 0007-0010 pass over the rows themselves
    assert (backfilled(legacy_db), guide_versions(legacy_db),
            legacy_db.scalar("SELECT count(*) FROM response_questions")) == one_run


@needs_postgresql
@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("spelling", ["User"])
def test_search_works_while_the_index_is_built_after_the_commit(legacy_db):
    """An old snapshot holds CREATE INDEX CONCURRENTLY back after the commit: meanwhile the upgraded
    database is open, its search answers without the index, and then the index is ready and valid."""
    holder = legacy_db.engine.connect()
    holder.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ")
    holder.exec_driver_sql("SELECT 1")  # a snapshot the concurrent build must wait out
    outcome = {}
    upgrade = threading.Thread(target=lambda: outcome.update(result=legacy_db.flask("franko", "upgrade")))
    upgrade.start()
    try:
        state = None
        for _ in range(600):  # the commit, then the build waiting on the snapshot above
            with legacy_db.engine.connect() as conn:
                if "alembic_version" in sa.inspect(conn).get_table_names():
                    state = conn.exec_driver_sql(
                        "SELECT i.indisvalid FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
                        f"WHERE c.relname = '{SEARCH_INDEX}'").scalar()
                    if state is False:  # built CONCURRENTLY, not yet valid
                        break
            time.sleep(0.1)
        assert state is False, "the upgrade never reached its after-commit index build"
        first_name, instance = legacy_db.rows(
            "SELECT interviewee_first_name, chat_instance_id FROM chat_responses "
            "WHERE interviewee_first_name IS NOT NULL ORDER BY id LIMIT 1")[0].values()
        with legacy_db.app.app_context():
            from franko.responses.services import Filters, responses_page

            page = responses_page(instance, Filters(search=first_name.lower()), 1, 50)
            assert page.items and all(first_name in (r.interviewee_first_name or "") for r in page.items)
    finally:
        holder.rollback()
        holder.close()
        upgrade.join(timeout=120)
    assert outcome["result"].exit_code == 0, outcome["result"].output
    assert legacy_db.scalar("SELECT i.indisvalid FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
                            f"WHERE c.relname = '{SEARCH_INDEX}'") is True
    assert " ready at " in outcome["result"].stdout


@needs_postgresql
@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("spelling", ["User"])
def test_flask_db_upgrade_builds_a_missing_or_broken_after_commit_index(legacy_db):
    assert legacy_db.upgrade().exit_code == 0
    assert legacy_db.scalar(f"SELECT count(*) FROM pg_indexes WHERE indexname = '{SEARCH_INDEX}'") == 1
    # A build cut off (e.g. the process killed) leaves an invalid index; none at all if it never began.
    legacy_db.execute(f"UPDATE pg_index SET indisvalid = false WHERE indexrelid = '{SEARCH_INDEX}'::regclass")
    assert legacy_db.upgrade().exit_code == 0  # at head: nothing to migrate, the index is rebuilt
    valid = f"SELECT indisvalid FROM pg_index WHERE indexrelid = '{SEARCH_INDEX}'::regclass"
    assert legacy_db.scalar(valid) is True
    legacy_db.execute(f"DROP INDEX {SEARCH_INDEX}")
    assert legacy_db.upgrade().exit_code == 0
    assert legacy_db.scalar(valid) is True
    # The way back still drops it with its revision.
    assert legacy_db.downgrade("0007_guide_versions").exit_code == 0
    assert legacy_db.scalar(f"SELECT count(*) FROM pg_indexes WHERE indexname = '{SEARCH_INDEX}'") == 0


@needs_postgresql
@pytest.mark.parametrize("backend", ["postgresql"])
def test_offline_script_builds_the_index_after_its_commit(database):
    result = database.flask("db", "upgrade", "--sql")  # the PostgreSQL script (`make squawk` lints it)
    assert result.exit_code == 0, result.output
    script = result.stdout
    assert script.index("COMMIT;") < script.index(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {SEARCH_INDEX}")
    assert f"CREATE INDEX {SEARCH_INDEX}" not in script


def test_a_string_that_is_not_json_is_kept_while_the_others_are_unwrapped(legacy_db):
    """0003 learns in its archive pass whether every JSON string holds JSON; one that does not makes
    it check each row (the per-row way), with the same outcome as ever."""
    chat = "Chat" if legacy_db.spelling == "User" else "chat"
    user = legacy_db.scalar(f'SELECT CAST(id AS text) FROM "{legacy_db.spelling}" ORDER BY email LIMIT 1')
    odd = "6b3f0c1e-0000-4000-8000-00000000abcd"
    legacy_db.execute(f"INSERT INTO \"{chat}\" (id, \"createdAt\", messages, \"userId\") VALUES "
                      f"('{odd}', '2025-03-01 10:00:00', '\"hello, not json\"', '{user}')")
    assert legacy_db.upgrade().exit_code == 0
    key = odd if legacy_db.backend == "postgresql" else odd.replace("-", "")
    kept = legacy_db.scalar(f"SELECT messages FROM chat_instances WHERE CAST(id AS text) = '{key}'")
    assert kept == '"hello, not json"'
    assert legacy_db.scalar("SELECT count(*) FROM chat_instances WHERE messages LIKE '\"%'") == 1  # the rest unwrapped
    assert legacy_db.downgrade("base").exit_code == 0
    assert legacy_db.scalar(f"SELECT CAST(messages AS text) FROM \"{chat}\" WHERE CAST(id AS text) = '{odd}'") \
        == '"hello, not json"'
