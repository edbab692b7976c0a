"""The transcript view: chat bubbles from the stored conversation (odd ones shown as text), the clean transcript, facts."""
import json
import re

from markupsafe import escape

import pytest

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse
from franko.conversation import Conversation
from tests.factories import make_response


def seed_response(app, instance_id, **fields):
    with app.app_context():
        return make_response(db.session.get(ChatInstance, instance_id), **fields).id


def bubbles(page: str) -> list[tuple[str, str]]:
    return [(side, re.sub(r"</?p>", "", text).strip()) for side, text in
            re.findall(r'<div class="chat-bubble (\w+)[^"]*"[^>]*><div class="chat-meta">.*?</div>(.*?)</div>', page, re.S)]


def test_transcript_shows_bubbles_facts_and_clean_transcript(client, app, instance_id):
    messages = [
        {"role": "system", "content": "You are an interviewer.", "at": "2026-03-05T14:00:00"},
        {"role": "assistant", "content": "What do you bake?", "at": "2026-03-05T14:01:00"},
        {"role": "user", "content": "Bread.\nMostly sourdough.", "at": "2026-03-05T14:02:00Z"},
        {"role": "agent", "content": "Thanks!"},
    ]
    response_id = seed_response(app, instance_id, first_name="Ada", interviewee_second_name="Lovelace",
                                interviewee_email="ada@example.com", conversation=json.dumps(messages), minutes=75)
    page = client.get(f"/responses/{response_id}").get_data(as_text=True)
    assert bubbles(page) == [("agent", "What do you bake?"), ("interviewee", "Bread.\nMostly sourdough."),
                             ("agent", "Thanks!")]
    assert "You are an interviewer." not in page
    assert "Interview with Ada Lovelace" in page and "ada@example.com" in page
    assert "1 h 15 min" in page and "1/2" in page and "completed" in page
    assert "Agent: What do you do?\nInterviewee: I run a bakery." in page  # the clean transcript
    assert "14:01" in page


@pytest.mark.parametrize("raw", ["{not json", '"a string"', "42", "null", '[1, "x", null]', "[" * 5000,
                                 "Interviewer: What do you do?\nJo: I bake. <b>Really</b>"])
def test_malformed_messages_do_not_break_the_page(client, app, instance_id, raw):
    response_id = seed_response(app, instance_id, conversation=raw)
    response = client.get(f"/responses/{response_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert bubbles(page) == []
    assert "I run a bakery." in page  # the clean transcript is still there
    if not raw.startswith("["):  # what is not a list of messages is shown as the text it is, escaped
        assert 'id="conversation-text"' in page
        assert str(escape(raw)) in page


def test_plain_text_conversation_round_trips(app, instance_id):
    """A legacy transcript stored as plain text is read back as text, and written back unchanged."""
    with app.app_context():
        response = make_response(db.session.get(ChatInstance, instance_id), conversation="Q: Why?\nA: Because.")
        loaded = db.session.get(ChatResponse, response.id, populate_existing=True).conversation
        assert loaded.text == "Q: Why?\nA: Because." and list(loaded) == [] and loaded.entries() == []
        assert loaded.dump() == "Q: Why?\nA: Because."


def test_no_messages_and_no_transcript(client, app, instance_id):
    response_id = seed_response(app, instance_id, status="in_progress", conversation=None, clean_transcript=None)
    page = client.get(f"/responses/{response_id}").get_data(as_text=True)
    assert "No messages yet." in page
    assert "The clean transcript is written when the interview is completed." in page


def test_parse_messages_tolerates_odd_shapes():
    raw = json.dumps({"messages": [
        {"role": "ASSISTANT", "content": [{"type": "text", "text": "Part one"}, {"type": "text", "text": "part two"}]},
        {"role": "user", "content": 7, "at": "yesterday"},
        {"role": "tool", "content": "lookup"},
        {"role": "user", "content": "   "},
        {"content": "no role"},
    ]})
    conversation = Conversation.load(raw)
    assert conversation.text is None
    assert [(m.side, m.content, m.at) for m in conversation.entries()] == [
        ("agent", "Part one part two", None), ("interviewee", "7", None), ("other", "lookup", None),
        ("other", "no role", None)]
    assert Conversation.load("{broken").text == "{broken" and Conversation.load("{broken").entries() == []
    assert Conversation.load("") == Conversation() and Conversation.load(None).text is None


XSS = "<script>alert(1)</script>"


def test_everything_typed_is_escaped(client, app, instance_id):
    messages = [{"role": "assistant", "content": XSS}, {"role": "user", "content": XSS}]
    response_id = seed_response(app, instance_id, first_name=XSS, interviewee_second_name=XSS, interviewee_email=XSS,
                                conversation=json.dumps(messages), clean_transcript=XSS, completion_status=XSS)
    page = client.get(f"/responses/{response_id}").get_data(as_text=True)
    assert XSS not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6


def test_unknown_response_is_404(client, owner):
    assert client.get("/responses/00000000-0000-0000-0000-000000000000").status_code == 404


def test_delete_button_on_the_transcript(client, app, instance_id):
    response_id = seed_response(app, instance_id)
    page = client.get(f"/responses/{response_id}").get_data(as_text=True)
    assert f'action="/responses/{response_id}/delete"' in page
    client.post(f"/responses/{response_id}/delete")
    with app.app_context():
        assert db.session.get(ChatResponse, response_id) is None


def test_conversation_column_takes_lists_and_conversations(app, instance_id):
    """The one conversation type: whatever is assigned is stored as JSON and read back as a Conversation."""
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        response = make_response(instance, conversation=[{"role": "user", "content": "Rye, mostly.", "at": None}])
        response.conversation = response.conversation + [{"role": "assistant", "content": "**Why** rye?", "question": 0}]
        db.session.commit()
        loaded = db.session.get(ChatResponse, response.id, populate_existing=True).conversation
        assert [m["content"] for m in loaded] == ["Rye, mostly.", "**Why** rye?"]
        assert loaded[-1]["question"] == 0 and loaded.has_answer() and loaded.text is None
        assert [e.side for e in loaded.entries()] == ["interviewee", "agent"]
