"""Fixtures of the instances tests: another owner's data, a statement counter."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from franko.extensions import db


@contextmanager
def count_queries(app):
    """Count the SQL statements the app sends while the block runs: `with count_queries(app) as n: ...; n[0]`."""
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


@pytest.fixture
def stranger(app):
    """Another owner with one instance and one response; returns (instance_id, response_id)."""
    from tests.factories import make_instance, make_profile, make_response

    with app.app_context():
        profile = make_profile(email="stranger@example.com", plan="starter")
        instance = make_instance(profile, guide="# Their secret study\nWhat?")
        response = make_response(instance, first_name="Their interviewee")
        return instance.id, response.id
