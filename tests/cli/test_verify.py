"""`flask franko verify` finds each kind of inconsistency it claims to, and passes clean data."""
import sqlite3
from datetime import timedelta

import pytest
import sqlalchemy as sa

from franko.extensions import db
from tests.factories import make_instance, make_profile, make_response


def raw(app, sql, **params):
    """Run SQL with foreign keys unchecked, as a damaged database may have been written."""
    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "sqlite":
            conn = sqlite3.connect(url.database)
            conn.execute(sql, params)
            conn.commit()
            conn.close()
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                conn.execute(sa.text(sql), params)


@pytest.fixture
def world(app):
    """A consistent little world: two owners, one instance each, a completed response."""
    with app.app_context():
        a, b = make_profile("a@example.com"), make_profile("b@example.com")
        ia = make_instance(a)
        make_instance(b)
        r = make_response(ia)
        return {"a": a.user_id, "b": b.user_id, "instance": ia.id.hex, "response": r.id.hex,
                "response_uuid": str(r.id), "instance_uuid": str(ia.id)}


def uuid_param(app, value_hex, value_uuid):
    with app.app_context():
        return value_hex if db.engine.dialect.name == "sqlite" else value_uuid


def test_clean_data_passes(runner, world):
    result = runner.invoke(args=["franko", "verify"])
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output


CASES = {
    "chat instances whose owner profile is missing":
        lambda app, w: raw(app, "UPDATE chat_instances SET user_id = 'ghost' WHERE user_id = :u", u=w["b"]),
    "responses whose chat instance is missing":
        lambda app, w: raw(app, "DELETE FROM chat_instances WHERE id = :i",
                           i=uuid_param(app, w["instance"], w["instance_uuid"])),
    "responses owned by someone other than their instance's owner":
        lambda app, w: raw(app, "UPDATE chat_responses SET user_id = :b", b=w["b"]),
    "profiles whose chat-instance counter disagrees with their instances":
        lambda app, w: raw(app, "UPDATE profiles SET total_chat_instances_used = 3 WHERE user_id = :a", a=w["a"]),
    "profiles with a negative counter":
        lambda app, w: raw(app, "UPDATE profiles SET total_responses_available = -1 WHERE user_id = :a", a=w["a"]),
    "profiles that used more this period than in their lifetime":
        lambda app, w: raw(app, "UPDATE profiles SET total_responses_used_this_month = 5, total_responses_used = 2"),
    "profiles whose email collides with another's (case-insensitively)":
        lambda app, w: (raw(app, "DROP INDEX uq_profiles_email_lower"),
                        raw(app, "UPDATE profiles SET email = 'A@EXAMPLE.COM' WHERE user_id = :b", b=w["b"])),
    "responses that end before they start":
        lambda app, w: raw(app, "UPDATE chat_responses SET interview_end_time = interview_start_time, "
                                "interview_start_time = :late", late=str(make_late())),
    "completed responses without an end time":
        lambda app, w: raw(app, "UPDATE chat_responses SET interview_end_time = NULL"),
    "responses whose minutes disagree with their start and end (by more than a minute)":
        lambda app, w: raw(app, "UPDATE chat_responses SET total_interview_minutes = 90"),
}


def make_late():
    from franko.models import utcnow

    return (utcnow() + timedelta(days=1)).replace(microsecond=0)


@pytest.mark.parametrize("check", list(CASES))
def test_verify_catches(app, runner, world, check):
    CASES[check](app, world)
    result = runner.invoke(args=["franko", "verify"])
    assert result.exit_code == 1
    assert check in result.output
