"""The webhook body and the owner's notification email are masked when the instance says so (and only then)."""
import json

import pytest

from franko.extensions import db
from franko.models import ChatInstance
from franko.models import utcnow
from tests.factories import make_instance, make_profile
from tests.interview.conftest import Interviewee
from tests.webhooks.conftest import Receiver, hook_up

EMAIL, PHONE = "ada.lovelace@example.com", "07911 123456"
ANSWERS = [f"I run a small bakery; write to {EMAIL} or call {PHONE} any time.",
           "Rising flour prices every single month, since 2024-03-15.",
           "Cheaper flour and a second oven would help a lot."]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp_server):
    port, _ = smtp_server
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
            "MAIL_SENDER": "Franko <franko@example.org>", "FRANKO_BASE_URL": "https://franko.example.org"}


def completed(app, redaction, receiver) -> Interviewee:
    with app.app_context():
        owner = make_profile(email="owner@example.com", notify_mode="each", email_verified_at=utcnow())
        instance = make_instance(owner, guide="# Study\n- What do you do?\n- What is hard?\n- What would help?")
        instance.redaction = redaction
        db.session.commit()
        hook_up(instance.id, receiver.url)
        instance_id = instance.id
    ada = Interviewee(app, instance_id)
    assert ada.start().status_code == 302
    for answer in ANSWERS:
        ada.answer(answer)
    assert ada.stored().status == "completed"
    return ada


@pytest.mark.parametrize("outputs", ["", ",webhook,notification"])
def test_webhook_and_email_are_masked_when_chosen(app, receiver, smtp_server, outputs):
    _, inbox = smtp_server
    ada = completed(app, "email,phone" + outputs, receiver)
    [got] = receiver.requests
    data = json.loads(got.body)["data"]
    [email] = [m for m in inbox.messages if m["subject"].startswith("New response")]
    summary = ada.stored().summary
    assert any(PHONE in q for q in summary.quotes)  # the offline summary quotes the interviewee as stored
    said = json.dumps(data["transcript"], ensure_ascii=False) + json.dumps(data["summary"], ensure_ascii=False)
    if outputs:
        assert EMAIL not in said and PHONE not in said and "[phone]" in said
        assert EMAIL not in email["body"] and PHONE not in email["body"] and "[phone]" in email["body"]
        assert data["interviewee"]["email"] == "ada@example.com"  # the start form's field, asked for by the owner
        assert "2024-03-15" in said
    else:
        assert EMAIL in said and PHONE in said and PHONE in email["body"]
