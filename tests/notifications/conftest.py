"""Notification fixtures: the app sends through a real local SMTP server; an owner who chose their emails."""
import re
from datetime import datetime, timedelta

import pytest

from franko.models import Profile, utcnow
from tests.conftest import free_port
from tests.factories import make_profile, make_response
from tests.interview.conftest import Interviewee

BASE = "https://franko.example.org"
ANSWERS = ["I run a small bakery with five people.", "Rising flour prices every single month.",
           "Cheaper flour and a second oven would help a lot."]


@pytest.fixture
def app_config(smtp_server):
    port, _ = smtp_server
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
            "MAIL_SENDER": "Franko <franko@example.org>", "FRANKO_BASE_URL": BASE, "FRANKO_DIGEST_HOUR": 8}


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[1]


def make_owner(mode: str = "each", verified: bool = True, email: str = "owner@example.com", **fields) -> Profile:
    """An owner (inside an app context) with a notification mode and, unless told, a verified email."""
    return make_profile(email=email, organisation_name="Acme Bakeries", notify_mode=mode,
                        email_verified_at=utcnow() if verified else None, **fields)


def complete_interview(app, instance_id, first_name="Ada") -> Interviewee:
    """An interviewee goes through the public pages to the closing message (the default agent)."""
    interviewee = Interviewee(app, instance_id)
    assert interviewee.start(first_name=first_name, email="").status_code == 302  # no private link (§14) in the inbox
    for answer in ANSWERS:
        interviewee.answer(answer)
    assert interviewee.stored().status == "completed"
    return interviewee


def completed_at(instance, when: datetime, first_name: str, minutes: int = 12):
    """A response (inside an app context) that completed at `when`."""
    return make_response(instance, first_name=first_name, minutes=minutes,
                         interview_start_time=when - timedelta(minutes=minutes))


def mail_down(app) -> int:
    """Point the app at a port nobody listens on; returns the real port, to put back."""
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    return port


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message["body"])



def run(app, job, *args):
    """Run a job now, in an app context of its own, as the worker does."""
    with app.app_context():
        return job(*args)


def signed_up(app, auth, client, inbox, verify: bool = True) -> str:
    """Sign up through the form (logged in), follow the emailed link unless told not to; the inbox is emptied."""
    from tests.factories import profile_by_email

    auth.signup()
    if verify:
        (message,) = inbox.messages
        assert client.get(links(message)[0][len(BASE):]).status_code == 302
    inbox.messages.clear()
    with app.app_context():
        return profile_by_email("owner@example.com").user_id
