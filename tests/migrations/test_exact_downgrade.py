"""D8: `flask db downgrade base` gives back the legacy database exactly, as pg_dump (or SQLite) sees it."""
import sqlite3
import subprocess

import pytest
from sqlalchemy.engine import make_url

from tests.migrations import legacy


def dump(database) -> tuple[str, list[str]]:
    """(the schema, exactly; the data, one line a row, sorted: rows have no order of their own)."""
    database.dispose()
    url = make_url(database.url)
    if database.backend == "sqlite":
        conn = sqlite3.connect(url.database)
        schema = "\n".join(f"{t} {n} {sql}" for t, n, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"))
        data = [line for line in conn.iterdump() if line.startswith("INSERT")]
        conn.close()
        return schema, sorted(data)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def pg_dump(*args):
        out = subprocess.run(["pg_dump", "--no-owner", *args, libpq], check=True, capture_output=True, text=True).stdout
        # pg_dump fences its output with a random \restrict key on every run: not content.
        return [line for line in out.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))]

    return "\n".join(pg_dump("--schema-only")), sorted(pg_dump("--data-only"))


@pytest.mark.parametrize("with_starter", [True, False], ids=["enum-with-starter", "older-enum"])
def test_downgrade_to_base_gives_back_the_legacy_database(database, spelling, with_starter):
    legacy.create_schema(database.engine, with_starter=with_starter, spelling=spelling)
    info = legacy.populate(database.engine, spelling, carol_plan="starter" if with_starter else "pro")
    original = dump(database)
    assert database.upgrade().exit_code == 0
    assert database.flask("franko", "verify").exit_code == 0
    # The app used in between, as operators would before deciding to roll back: a login re-hashes.
    client = database.app.test_client()
    client.post("/auth/login", data={"email": "bob@example.com", "password": legacy.PASSWORD_2A})
    result = database.downgrade("base")
    assert result.exit_code == 0, result.output
    schema, data = dump(database)
    assert schema == original[0]
    assert data == original[1]
    # And the same command takes it forward again.
    assert database.upgrade().exit_code == 0
    assert database.scalar("SELECT count(*) FROM chat_instances") == len(info["chats"]) + 3
