"""A legacy database made by the real Drizzle migration files upgrades, and downgrades to itself (SPEC §2, D8).

PostgreSQL only: the files are PostgreSQL's SQL (without TEST_DATABASE_URL there is nothing to run).
"""
import os

import pytest

from tests.conftest import TEST_DATABASE_URL, new_database
from tests.migrations import legacy
from tests.migrations.conftest import Database
from tests.migrations.test_exact_downgrade import dump

HERE = os.path.join(os.path.dirname(__file__), "drizzle")
FILES = sorted(f for f in os.listdir(HERE) if f.startswith("platform_")) + ["chatbot_0000_absurd_joshua_kane.sql"]


@pytest.fixture(params=["postgresql"] if TEST_DATABASE_URL else [])
def pg(request, tmp_path):
    """Two empty PostgreSQL databases."""
    made = [new_database(request.param, tmp_path) for _ in range(2)]
    databases = [Database(url) for url, _ in made]
    yield databases
    for database, (_, drop) in zip(databases, made):
        database.dispose()
        drop()


def run_drizzle_files(database):
    for name in FILES:
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            statements = [s.strip() for s in f.read().split("--> statement-breakpoint") if s.strip()]
        database.execute(*statements)


def test_the_frozen_legacy_ddl_is_the_real_schema(pg):
    real, frozen = pg
    run_drizzle_files(real)
    legacy.create_schema(frozen.engine, drizzle=False, unknown_table=False)
    assert dump(real)[0] == dump(frozen)[0]


def test_a_real_legacy_database_upgrades_and_downgrades_to_itself(pg):
    real, _ = pg
    run_drizzle_files(real)
    info = legacy.populate(real.engine)
    original = dump(real)
    result = real.flask("franko", "upgrade", "--report")
    assert result.exit_code == 0, result.output
    assert "MISMATCH" not in result.output
    assert real.flask("franko", "verify").exit_code == 0
    client = real.app.test_client()
    assert client.post("/auth/login", data={"email": "gina@example.com",
                                            "password": legacy.PASSPHRASE_100}).status_code == 302
    assert info["chats"]["single"] in client.get("/instances/").get_data(as_text=True)
    assert real.downgrade("base").exit_code == 0
    assert dump(real) == original
