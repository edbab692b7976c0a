"""backup, archive purge and seed-demo."""
import os
import sqlite3

import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, LegacyArchive


def test_backup_writes_a_restorable_copy(app, runner, tmp_path):
    with app.app_context():
        from tests.factories import make_profile

        make_profile("kept@example.com")
        backend = db.engine.dialect.name
    result = runner.invoke(args=["franko", "backup", "--dir", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    path = result.output.strip().splitlines()[-1]
    assert os.path.exists(path) and os.path.getsize(path) > 0
    if backend == "sqlite":
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT email FROM profiles").fetchall() == [("kept@example.com",)]
        conn.close()
    else:
        with open(path, "rb") as f:
            assert f.read(5) == b"PGDMP"  # pg_dump's custom format, for pg_restore


def archive_rows(app, n):
    with app.app_context():
        db.session.add_all(LegacyArchive(source_table="todos" if i % 2 else "user", source_pk=str(i), row_json="{}")
                           for i in range(n))
        db.session.commit()


def archive_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LegacyArchive))


def test_archive_purge_asks_first(app, runner):
    archive_rows(app, 4)
    result = runner.invoke(args=["franko", "archive", "purge"], input="n\n")
    assert result.exit_code == 1  # aborted
    assert archive_count(app) == 4
    result = runner.invoke(args=["franko", "archive", "purge", "--source", "todos"], input="y\n")
    assert result.exit_code == 0 and "Deleted 2 archived row(s) from todos" in result.output
    assert archive_count(app) == 2
    result = runner.invoke(args=["franko", "archive", "purge", "--yes"])
    assert result.exit_code == 0 and archive_count(app) == 0


def test_seed_demo_is_idempotent_and_consistent(app, runner):
    result = runner.invoke(args=["franko", "seed-demo"])
    assert result.exit_code == 0 and "Demo data created" in result.output
    result = runner.invoke(args=["franko", "seed-demo"])
    assert "already present" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChatInstance)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChatResponse)) == 12
        # The demo's completed interviews get their summaries (jobs run at once in tests) and themes.
        completed = db.session.scalars(sa.select(ChatResponse).where(ChatResponse.status == "completed")).all()
        assert len(completed) == 10 and all(r.summary is not None for r in completed)
        assert all(i.themes is not None for i in db.session.scalars(sa.select(ChatInstance)))
        # Their question records agree with their counts; some asked what a question meant, some skipped one.
        from franko.models import ResponseQuestion

        records = db.session.scalars(sa.select(ResponseQuestion)).all()
        assert sum(r.questions_reached for r in completed) + 2 == len(records)  # the two abandoned reached one each
        assert sum(r.state == "skipped" for r in records) == sum(r.questions_skipped for r in completed) > 0
        assert any(r.clarifications for r in records) and any(r.probes for r in records)
        assert all(r.completion_status == f"{r.questions_answered}/{r.questions_reached}" for r in completed)
    assert runner.invoke(args=["franko", "verify"]).exit_code == 0
