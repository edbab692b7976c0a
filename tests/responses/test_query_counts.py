"""The responses list and the transcript view cost a constant number of SQL statements."""
import json

from franko.extensions import db
from franko.models import ChatInstance
from tests.factories import make_response
from tests.helpers import recorded_statements
from tests.responses.conftest import add_responses


def statements(client, app, url) -> int:
    with recorded_statements(app) as n:
        assert client.get(url).status_code == 200
    return len(n)


def test_responses_list_is_constant_in_rows(client, app, instance_id):
    url = f"/instances/{instance_id}/responses"
    with app.app_context():
        add_responses(db.session.get(ChatInstance, instance_id), 2)
    few = statements(client, app, url)
    with app.app_context():
        add_responses(db.session.get(ChatInstance, instance_id), 120, start_minutes_ago=5000)
    many = statements(client, app, url)
    assert many == few
    assert statements(client, app, url + "?status=completed&page=3") == few
    assert few <= 5


def test_transcript_view_is_constant_in_messages(client, app, instance_id):
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        short = make_response(instance).id
        long_messages = [{"role": "assistant" if i % 2 else "user", "content": f"m{i}"} for i in range(400)]
        long = make_response(instance, conversation=json.dumps(long_messages)).id
    assert statements(client, app, f"/responses/{short}") == statements(client, app, f"/responses/{long}")
    assert statements(client, app, f"/responses/{short}") <= 5  # … and its question records


def test_transcript_view_with_question_records_is_constant_in_messages(client, app, instance_id):
    from tests.factories import agent_says as agent
    from tests.factories import interviewee_says as said
    from tests.factories import make_interview

    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        short = make_interview(instance, [agent(0), said(0)], guide_version=1).id
        long = make_interview(instance, [agent(0), said(0)] + [agent(0, move="probe"), said(0)] * 200,
                              guide_version=1).id
    assert statements(client, app, f"/responses/{short}") == statements(client, app, f"/responses/{long}")
    assert statements(client, app, f"/responses/{short}") <= 6  # … its records, and its guide version's text
