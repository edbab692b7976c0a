"""Which databases are legacy ones (D5, D9): one whole schema in one spelling, or refused by name."""
import sqlalchemy as sa

from tests.migrations import legacy


def ddl(database, spelling="User"):
    return legacy.legacy_schema.ddl(database.backend, spelling)


def create(database, tables, spelling="User"):
    statements = ddl(database, spelling)
    database.execute(*([statements["membership"]] if database.backend == "postgresql" else []),
                     *[statements[t] for t in tables])


def refused_unchanged(database, *named):
    before = database.fingerprint()
    result = database.upgrade()
    assert result.exit_code != 0
    output = result.output + str(result.exception)
    assert "nothing was changed" in output
    for text in named:
        assert text in output, output
    assert database.fingerprint() == before
    assert "alembic_version" not in sa.inspect(database.engine).get_table_names()
    return output


def test_some_legacy_tables_but_not_the_others_are_refused_by_name(database):
    """Drizzle's half only: the baseline never adds the chatbot's missing tables (D9)."""
    create(database, ["profiles", "todos", "interviews", "creator_conversations"])
    refused_unchanged(database, "some legacy tables but not the others", '"User", "Chat", "Reservation" missing')


def test_legacy_tables_of_two_spellings_are_refused(database):
    statements = {**ddl(database, "User"), "chat": ddl(database, "user")["chat"].replace('"user"', '"User"')}
    database.execute(*([statements["membership"]] if database.backend == "postgresql" else []),
                     *[statements[t] for t in ("profiles", "todos", "interviews", "creator_conversations",
                                               "user", "chat", "reservations")])
    refused_unchanged(database, "two spellings", '"chat"')


def test_both_spellings_of_one_table_are_refused(database):
    legacy.create_schema(database.engine, spelling="User")
    if database.backend == "sqlite":
        # SQLite's table names are case-insensitive: such a database cannot exist there.
        try:
            database.execute(ddl(database, "user")["user"])
        except sa.exc.OperationalError as error:
            assert "already exists" in str(error)
        else:
            raise AssertionError("SQLite accepted a second user table")
        return
    database.execute(ddl(database, "user")["user"])
    refused_unchanged(database, 'both spellings of one legacy table: "User", "user"')


def test_a_database_with_only_other_tables_is_refused(database):
    database.execute("CREATE TABLE office_notes (id integer PRIMARY KEY, body text)")
    refused_unchanged(database, 'none of the legacy schema\'s ("office_notes")')


def test_unknown_tables_and_drizzle_are_left_alone(database):
    legacy.create_schema(database.engine)
    legacy.populate(database.engine)
    drizzle = database.rows("SELECT * FROM drizzle.__drizzle_migrations ORDER BY id") \
        if database.backend == "postgresql" else None
    result = database.flask("franko", "upgrade", "--report")
    assert result.exit_code == 0, result.output
    assert f"  - {legacy.UNKNOWN_TABLE}" in result.output
    # Exactly what is not ours: none of the app's own tables is listed as left alone.
    left = 2 if database.backend == "postgresql" else 1
    assert f"Left alone: not part of the legacy schema (D9): {left}\n" in result.output
    assert database.scalar(f"SELECT body FROM {legacy.UNKNOWN_TABLE}") == "kept as it is"
    if database.backend == "postgresql":
        assert "  - schema drizzle" in result.output
        assert database.rows("SELECT * FROM drizzle.__drizzle_migrations ORDER BY id") == drizzle
        assert len(drizzle) == 14


def test_the_baseline_creates_the_legacy_schema_only_in_an_empty_database(database):
    assert database.upgrade("0001_legacy_baseline").exit_code == 0
    names = set(sa.inspect(database.engine).get_table_names())
    assert set(legacy.tables("User")) <= names
    assert database.downgrade("base").exit_code == 0
    assert sa.inspect(database.engine).get_table_names() == []  # created empty, empty again
