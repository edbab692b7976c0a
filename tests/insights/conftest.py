"""Insight fixtures: five fixed interviews, a local fake LLM, the app pointed at it."""
import json
from datetime import timedelta

import pytest

from franko.extensions import db
from franko.models import ChatResponse, utcnow
from tests.factories import make_instance, make_profile
from tests.insights.fake_llm import FakeOpenAI

GUIDE = "# Small business study\n- What do you do?\n- What is hard about it?\n- What would help?"
QUESTIONS = ["What do you do?", "What is hard about it?", "What would help?"]
# Five interviews: three mention flour prices, three late deliveries, two staff turnover, one none of it.
INTERVIEWS = {
    "Ada": ["I run a small bakery in Leeds.",
            "Flour prices went up again this spring. Deliveries to the cafés are late when the van breaks down.",
            "A cheaper flour supplier would help."],
    "Ben": ["We roast coffee for offices.",
            "Rising flour prices hurt our pastry line. Staff turnover is our biggest worry.",
            "Better pay for staff, honestly."],
    "Cleo": ["I manage a café near the station.",
             "Our deliveries often arrive late in the morning. Staff turnover makes training hard.",
             "Deliveries before seven."],
    "Dev": ["I sell cakes at weekend markets.",
            "Flour prices doubled last year, and late deliveries cost me sales.",
            "Nothing else."],
    "Eve": ["I do the accounts for two shops.",
            "Spreadsheets and invoices take my evenings.",
            "An app for invoices."],
}


def conversation(answers: list[str]) -> list[dict]:
    at = utcnow().isoformat(timespec="seconds") + "Z"
    messages = []
    for n, (question, answer) in enumerate(zip(QUESTIONS, answers)):
        messages.append({"role": "assistant", "content": question, "at": at, "question": n})
        messages.append({"role": "user", "content": answer, "at": at})
    messages.append({"role": "assistant", "content": "Thank you!", "at": at, "question": None})
    return messages


def add_interview(instance, name: str, answers: list[str], minutes_ago: int = 0, **fields) -> ChatResponse:
    """A completed response of `instance` with these answers, ended `minutes_ago` minutes ago."""
    end = utcnow() - timedelta(minutes=minutes_ago)
    values = dict(
        user_id=instance.user_id, chat_instance_id=instance.id, status="completed", interviewee_first_name=name,
        interview_start_time=end - timedelta(minutes=7), interview_end_time=end, total_interview_minutes=7,
        conversation=json.dumps(conversation(answers)), questions_reached=len(answers),
        questions_answered=len(answers), completion_status=f"{len(answers)}/3", charged_at=end)
    response = ChatResponse(**{**values, **fields})
    db.session.add(response)
    db.session.commit()
    return response


def add_study(profile) -> tuple:
    """An instance with the five interviews (Ada the oldest, Eve the newest); (instance id, {name: response id})."""
    instance = make_instance(profile, guide=GUIDE)
    ids = {}
    for n, (name, answers) in enumerate(INTERVIEWS.items()):
        ids[name] = add_interview(instance, name, answers, minutes_ago=100 - n).id
    return instance.id, ids


@pytest.fixture
def study(app):
    """Another owner's study (no login): (instance id, {name: response id})."""
    with app.app_context():
        return add_study(make_profile(email="researcher@example.com", plan="starter"))


@pytest.fixture
def fake_model():
    fake = FakeOpenAI()
    yield fake
    fake.stop()


@pytest.fixture
def model_app(app, fake_model):
    """The test app with its LLM settings pointed at the fake model."""
    app.config.update(fake_model.config())
    return app
