"""Fixtures of the responses tests: the owner's instance with its responses."""
from datetime import timedelta

import pytest

from franko.extensions import db
from franko.models import utcnow


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

