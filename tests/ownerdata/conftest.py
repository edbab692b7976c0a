"""Owner-data fixtures: the app on the local Stripe fake and a webhook receiver; an organisation full of data."""
from dataclasses import dataclass

import pytest

from franko.extensions import db
from franko.models import ChatInstance, Profile
from tests.billing.conftest import FakeStripe
from tests.interview.conftest import Interviewee
from tests.webhooks.conftest import Receiver, hook_up

ADMIN_EMAIL = "admin@example.com"
GUIDE = "# Quokka pie study\n- What do you bake?\n- What is hard about it?\n- What would help?"
# Words found nowhere else: the deletion's scan looks for each of them in every table.
OWNER = {"first_name": "Zebulon", "second_name": "Quartermaine", "organisation_name": "Quartermaine Pies",
         "organisation_description": "Zanzibarquokka pies for the whole county."}
INTERVIEWEE = {"first_name": "Wilhelmina", "second_name": "Fairweatherly", "email": "wilhelmina@fairweatherly.example"}
ANSWERS = ["I bake zanzibarquokka pies with marmalade every morning.",
           "The ovens of Pendlebury Street break down, and flour prices keep rising.",
           "A grumbleweed oven and cheaper flour would help us a lot."]


@dataclass
class Organisation:
    user_id: str
    instance_id: object
    response_id: object


@pytest.fixture
def fake_stripe():
    server = FakeStripe()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def app_config(fake_stripe):
    return {"STRIPE_SECRET_KEY": "sk_test_franko", "STRIPE_WEBHOOK_SECRET": "whsec_test", "STRIPE_API_BASE": fake_stripe.url,
            "FRANKO_ADMIN_EMAILS": [ADMIN_EMAIL]}


def fill_organisation(app, user_id: str, receiver) -> Organisation:
    """The logged-in owner's organisation: a paid plan, an instance with a webhook and redaction, a completed interview."""
    with app.app_context():
        profile = db.session.get(Profile, user_id)
        for key, value in OWNER.items():
            setattr(profile, key, value)
        profile.membership, profile.stripe_customer_id, profile.stripe_subscription_id = "starter", "cus_quokka", "sub_quokka"
        profile.total_responses_available = 10
        instance = ChatInstance(user_id=user_id, interview_guide=GUIDE, redaction="email,phone")
        db.session.add(instance)
        db.session.commit()
        hook_up(instance.id, receiver.url)
        instance_id = instance.id
    interviewee = Interviewee(app, instance_id)
    assert interviewee.start(**INTERVIEWEE).status_code == 302
    for answer in ANSWERS:
        interviewee.answer(answer)
    assert interviewee.stored().status == "completed"
    return Organisation(user_id, instance_id, interviewee.response_id)
