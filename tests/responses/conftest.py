"""Fixtures of the responses tests: the owner's instance with responses, another owner's, a counter."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from franko.extensions import db
from franko.models import utcnow


@contextmanager
def count_queries(app):
    """Count the SQL statements the app sends while the block runs."""
    with app.app_context():
        engine = db.engine
    counter = [0]

    def before(conn, cursor, statement, parameters, context, executemany):
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def add_responses(instance, count: int, status="completed", start_minutes_ago=10_000, **fields) -> list:
    """`count` responses, each a minute newer than the one before; returns their ids, oldest first."""
    from franko.models import ChatResponse

    now = utcnow()
    ids = []
    for i in range(count):
        created = now - timedelta(minutes=start_minutes_ago - i)
        values = {"interviewee_first_name": f"Person{i}", "created_at": created, "interview_start_time": created,
                  "total_interview_minutes": 5, "completion_status": "2/2", **fields}
        r = ChatResponse(user_id=instance.user_id, chat_instance_id=instance.id, status=status, **values)
        db.session.add(r)
        ids.append(r)
    db.session.commit()
    return [r.id for r in ids]


@pytest.fixture
def instance_id(app, owner):
    """The logged-in owner's instance."""
    from tests.factories import make_instance, profile_by_email

    with app.app_context():
        return make_instance(profile_by_email("owner@example.com"), guide="# Bakery study\nWhat do you bake?").id


@pytest.fixture
def stranger(app):
    """Another owner with one instance and one response; returns (instance_id, response_id)."""
    from tests.factories import make_instance, make_profile, make_response

    with app.app_context():
        profile = make_profile(email="stranger@example.com", plan="starter")
        instance = make_instance(profile, guide="# Their secret study\nWhat?")
        response = make_response(instance, first_name="Their interviewee")
        return instance.id, response.id
