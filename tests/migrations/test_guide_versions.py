"""Revision 0007_guide_versions forwards and back: every guide in use becomes version 1; running interviews keep it."""
import importlib.util
import os
import uuid

import sqlalchemy as sa

REVISION = "0007_guide_versions"


def _previous() -> str:
    """The revision before this one (where the lead chains it)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "migrations", "versions", f"{REVISION}.py")
    spec = importlib.util.spec_from_file_location("revision_0008", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


PREVIOUS = _previous()


def seed(database) -> dict:
    """An owner, an instance with a guide, one without, a running and a finished interview (one revision before)."""
    ids = {name: uuid.uuid4() for name in ("guided", "empty", "running", "finished")}
    hexed = {k: v.hex if database.backend == "sqlite" else str(v) for k, v in ids.items()}
    now = "CURRENT_TIMESTAMP"
    database.execute(
        "INSERT INTO profiles (id, user_id, email, membership, created_at, updated_at) "
        f"VALUES ('{uuid.uuid4().hex if database.backend == 'sqlite' else uuid.uuid4()}', 'o', 'o@example.com', "
        f"'free', {now}, {now})",
        f"INSERT INTO chat_instances (id, user_id, interview_guide, created_at, updated_at) "
        f"VALUES ('{hexed['guided']}', 'o', '# Study\n- Why?', {now}, {now}), "
        f"('{hexed['empty']}', 'o', NULL, {now}, {now})",
        f"INSERT INTO chat_responses (id, user_id, chat_instance_id, status, created_at, updated_at) "
        f"VALUES ('{hexed['running']}', 'o', '{hexed['guided']}', 'in_progress', {now}, {now}), "
        f"('{hexed['finished']}', 'o', '{hexed['guided']}', 'completed', {now}, {now})",
    )
    return hexed


def test_upgrade_makes_version_one_and_stamps_running_interviews_then_downgrades(database):
    assert database.upgrade(PREVIOUS).exit_code == 0
    ids = seed(database)
    result = database.upgrade(REVISION)
    assert result.exit_code == 0, result.output
    versions = database.rows("SELECT chat_instance_id, number, guide FROM guide_versions")
    assert [(str(v["chat_instance_id"]).replace("-", ""), v["number"], v["guide"]) for v in versions] == [
        (ids["guided"].replace("-", ""), 1, "# Study\n- Why?")]
    stamped = {str(r["id"]).replace("-", ""): r["guide_version"]
               for r in database.rows("SELECT id, guide_version FROM chat_responses")}
    assert stamped == {ids["running"].replace("-", ""): 1, ids["finished"].replace("-", ""): None}

    assert database.downgrade(PREVIOUS).exit_code == 0
    inspector = sa.inspect(database.engine)
    assert "guide_versions" not in inspector.get_table_names()
    assert "guide_version" not in {c["name"] for c in inspector.get_columns("chat_responses")}
    assert database.scalar("SELECT count(*) FROM chat_responses") == 2
    assert database.upgrade(REVISION).exit_code == 0
