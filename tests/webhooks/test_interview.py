"""A real interview, driven through the public pages, ends in a signed response.completed at the receiver."""
import json

from franko.extensions import db
from franko.models import ChatResponse
from tests.interview.conftest import QUESTIONS, Interviewee, make_setup
from tests.webhooks.conftest import deliveries, hook_up
from tests.webhooks.verifiers import openssl_verifies

ANSWERS = ["I run a small bakery with five people in Leeds.",
           "Flour prices keep rising and the ovens are old and slow.",
           "Cheaper flour and a second oven would help us a lot this year."]


def test_completed_interview_is_sent_with_its_transcript_and_summary(app, receiver):
    with app.app_context():
        setup = make_setup()
        secret = hook_up(setup.instance_id, receiver.url)
    ada = Interviewee(app, setup.instance_id)
    assert ada.start().status_code == 302
    for answer in ANSWERS:
        ada.answer(answer)
        if ada.stored().status == "completed":
            break
    while ada.stored().status != "completed" and len(ada.messages()) < 20:  # a follow-up was asked
        ada.answer("That is all I can say about it, thank you very much.")
    assert ada.stored().status == "completed"

    [got] = receiver.requests
    [row] = deliveries(app)
    assert (row.event, row.status, row.attempts) == ("response.completed", "delivered", 1)
    assert row.chat_response_id == ada.response_id and got.headers["Franko-Delivery"] == str(row.id)
    assert openssl_verifies(got.headers["Franko-Signature"], got.body, secret)
    data = json.loads(got.body)["data"]
    with app.app_context():
        stored = db.session.get(ChatResponse, ada.response_id)
        assert data["response_id"] == str(stored.id)
        assert data["status"] == "completed" and data["completion_status"] == stored.completion_status == "3/3"
        assert data["interviewee"] == {"first_name": "Ada", "second_name": "Lovelace", "email": "ada@example.com"}
        assert data["minutes"] == stored.total_interview_minutes and data["ended_at"].endswith("Z")
        assert data["transcript"]["text"] == stored.clean_transcript and ANSWERS[0] in stored.clean_transcript
        assert [m["content"] for m in data["transcript"]["messages"]] == \
            [entry.content for entry in stored.conversation.entries()]
        assert {m["role"] for m in data["transcript"]["messages"]} == {"agent", "interviewee"}
        assert QUESTIONS[1] in [m["content"] for m in data["transcript"]["messages"]]
        # The summary is written before the event is made (after_completion's order): the one stored.
        summary = stored.summary
        assert data["summary"] == ({"text": summary.text, "quotes": list(summary.quotes)} if summary else None)
