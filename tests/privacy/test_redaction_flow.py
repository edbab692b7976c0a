"""Redaction end to end: the local fake LLM never receives a masked value (the interviewer, summaries, themes), the
transcript says what was masked, and the CSV, the webhook body and the notification email are masked when chosen."""
import csv
import io
import json

import pytest

from franko.extensions import db
from franko.insights.jobs import refresh_themes, summarize_response
from franko.models import ChatInstance, ChatResponse
from tests.factories import make_instance, make_profile, profile_by_email
from tests.insights.conftest import add_interview
from tests.insights.fake_llm import FakeOpenAI
from tests.interview.conftest import FakeLLM, Interviewee, make_setup

EMAIL, PHONE, CARD, IBAN = "ada.lovelace@example.com", "07911 123456", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32"
SECRETS = [EMAIL, PHONE, "07911123456", CARD, "4111111111111111", IBAN, "GB82WEST12345698765432"]
NEAR_MISSES = ["order 10023456", "2024-03-15", "4111 1111 1111 1112"]
ANSWERS = [f"I run a bakery in Leeds; write to {EMAIL} or call {PHONE} about order 10023456.",
           f"Flour went up on 2024-03-15 and my card {CARD} was charged twice, not 4111 1111 1111 1112.",
           f"Please refund it to my account {IBAN}, that would help."]
ALL = "email,phone,card,iban"


def leaked(bodies) -> list[str]:
    """The secret values found in any of the request bodies (as sent: JSON text)."""
    text = "\n".join(json.dumps(b, ensure_ascii=False) for b in bodies)
    return [s for s in SECRETS if s in text]


@pytest.fixture
def fake_llm():
    fake = FakeLLM()
    yield fake
    fake.stop()


@pytest.fixture
def app_config(fake_llm):
    return {"OPENAI_BASE_URL": fake_llm.url, "OPENAI_API_KEY": "sk-test", "FRANKO_LLM_MODEL": "test-model",
            "FRANKO_LLM_TIMEOUT": 2}


def interview(app, redaction: str | None) -> Interviewee:
    """An interview through the public pages (the LLM agent on the fake endpoint) giving the three answers."""
    with app.app_context():
        setup = make_setup()
        db.session.get(ChatInstance, setup.instance_id).redaction = redaction
        db.session.commit()
    ada = Interviewee(app, setup.instance_id)
    assert ada.start().status_code == 302
    for answer in ANSWERS:
        ada.answer(answer)
    assert ada.stored().status == "completed"
    return ada


def test_the_model_never_receives_a_masked_value_and_the_owner_keeps_the_original(app, fake_llm):
    ada = interview(app, ALL)
    bodies = [r["body"] for r in fake_llm.requests]
    labels = [b for b in bodies if b["messages"][0]["content"].startswith("You label")]
    assert len(labels) == 3 and len(bodies) > 6  # labels, wordings (and the summary's request after completion)
    assert leaked(bodies) == []
    sent = "\n".join(json.dumps(b) for b in bodies)
    assert "[email]" in sent and "[phone]" in sent and "[card number]" in sent and "[IBAN]" in sent
    for near_miss in NEAR_MISSES:  # what is no personal number reaches the model as written
        assert near_miss in sent
    stored = [m for m in ada.messages() if m["role"] == "user"]
    assert [m["content"] for m in stored] == ANSWERS  # the transcript keeps the original for the owner
    assert [m["masked"] for m in stored] == [["email", "phone"], ["card"], ["iban"]]
    assert ada.stored().summary is not None


def test_without_redaction_the_model_reads_what_was_typed(app, fake_llm):
    """The control: the same interview with redaction off sends the values (so the test above can fail)."""
    ada = interview(app, None)
    assert set(leaked([r["body"] for r in fake_llm.requests])) >= {EMAIL, PHONE, CARD, IBAN}
    assert all("masked" not in m for m in ada.messages())


def test_store_redacted_keeps_only_the_masked_text(app, fake_llm):
    ada = interview(app, ALL + ",store")
    response = ada.stored()
    stored = json.dumps([m for m in ada.messages()]) + (response.clean_transcript or "")
    assert [s for s in SECRETS if s in stored] == []
    assert "[email]" in response.clean_transcript and "order 10023456" in response.clean_transcript
    assert leaked([r["body"] for r in fake_llm.requests]) == []


def test_the_transcript_says_what_was_masked(app, client, owner, fake_llm):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"),
                                 guide="# Study\n- What do you do?\n- What is hard?\n- What would help?")
        instance.redaction = ALL
        db.session.commit()
        instance_id = instance.id
    ada = Interviewee(app, instance_id)
    ada.start()
    ada.answer(ANSWERS[0])
    page = client.get(f"/responses/{ada.response_id}").get_data(as_text=True)
    assert "Answer · 2 masked: email, phone" in page
    assert EMAIL in page  # the owner reads the original


def test_summaries_and_themes_ask_the_model_with_masked_answers(app):
    fake = FakeOpenAI(lambda body: json.dumps({"summary": "The interviewee runs a bakery and had a billing problem.",
                                               "quotes": [1], "themes": [{"label": "Bakery", "words": ["bakery"]}]}))
    try:
        app.config.update(fake.config())
        with app.app_context():
            instance = make_instance(make_profile(), guide="# Study\n- What do you do?\n- What is hard?\n- What would help?")
            instance.redaction = ALL
            db.session.commit()
            ids = [add_interview(instance, name, ANSWERS).id for name in ("Ada", "Ben")]
            instance_id = instance.id
        for response_id in ids:  # the jobs, run now, each in an app context of its own as the worker runs them
            with app.app_context():
                summarize_response(str(response_id))
        with app.app_context():
            refresh_themes(str(instance_id))
        with app.app_context():
            assert {db.session.get(ChatResponse, i).summary.by for i in ids} == {"model"}
            stored_quotes = [q for i in ids for q in db.session.get(ChatResponse, i).summary.quotes]
            instance_themes = db.session.get(ChatInstance, instance_id).themes
        assert len(fake.requests) == 3  # two summaries, one themes
        assert leaked(fake.requests) == []
        assert "[email]" in json.dumps(fake.requests[0]) and "[IBAN]" in json.dumps(fake.requests[2])
        assert not any(s in q for q in stored_quotes for s in SECRETS)  # quotes come from what the model read
        assert instance_themes.by == "model"
    finally:
        fake.stop()


def test_the_csv_is_masked_only_when_chosen(app, client, owner, fake_llm):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"),
                                 guide="# Study\n- What do you do?\n- What is hard?\n- What would help?")
        instance.redaction = ALL
        db.session.commit()
        instance_id = instance.id
        add_interview(instance, "Ada", ANSWERS)
    plain = client.get(f"/instances/{instance_id}/responses.csv").get_data(as_text=True)
    assert EMAIL in plain and IBAN in plain
    with app.app_context():
        db.session.get(ChatInstance, instance_id).redaction = ALL + ",csv"
        db.session.commit()
    masked = client.get(f"/instances/{instance_id}/responses.csv").get_data(as_text=True)
    assert [s for s in SECRETS if s in masked] == []
    rows = list(csv.reader(io.StringIO(masked.lstrip("\ufeff"))))
    assert "[email]" in rows[1][11] and "order 10023456" in rows[1][11]  # the transcript
    assert rows[1][12].startswith("I run a bakery in Leeds; write to [email] or call [phone]")  # question 1


def test_the_settings_page_saves_and_is_the_owners_alone(app, client, owner, stranger):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"))
        instance_id = instance.id
    page = client.get(f"/instances/{instance_id}/redaction")
    assert page.status_code == 200 and b"Mask before the language model" in page.data
    reply = client.post(f"/instances/{instance_id}/redaction", data={"email": "y", "phone": "y", "webhook": "y"})
    assert reply.status_code == 302
    with app.app_context():
        assert db.session.get(ChatInstance, instance_id).redaction == "email,phone,webhook"
        from franko.audit.models import AuditEntry
        [line] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "redaction.changed")).all()
        assert (line.actor_id, line.owner_id, line.subject, line.detail) == (
            owner, owner, f"instance:{instance_id}", {"redaction": "email,phone,webhook"})
    client.post(f"/instances/{instance_id}/redaction", data={"csv": "y"})  # no kind: nothing masked anywhere
    with app.app_context():
        assert db.session.get(ChatInstance, instance_id).redaction is None
    assert client.get(f"/instances/{stranger[0]}/redaction").status_code == 404
    assert client.post(f"/instances/{stranger[0]}/redaction", data={"email": "y"}).status_code == 404
    client.auto_csrf = False
    assert client.post(f"/instances/{instance_id}/redaction", data={"email": "y"}).status_code == 400


def test_the_streamed_answer_reaches_the_model_masked_too(app, fake_llm):
    with app.app_context():
        setup = make_setup()
        db.session.get(ChatInstance, setup.instance_id).redaction = ALL
        db.session.commit()
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    reply = ada.answer(ANSWERS[0], headers={"Accept": "text/event-stream"})
    assert reply.status_code == 200 and reply.mimetype == "text/event-stream"
    reply.get_data()
    assert [m["content"] for m in ada.messages() if m["role"] == "user"] == [ANSWERS[0]]
    bodies = [r["body"] for r in fake_llm.requests]
    assert len(bodies) >= 3 and leaked(bodies) == [] and "[email]" in json.dumps(bodies)
