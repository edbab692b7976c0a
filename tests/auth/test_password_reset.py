"""Self-service password reset: "Forgot password" emails a one-time, expiring link, through a real SMTP server."""
import re

import pytest

from franko.models import LoginSession
from franko.extensions import db
from tests.factories import make_profile, profile_by_email

BASE = "https://franko.example.org"


@pytest.fixture
def app_config(smtp_server):
    port, _ = smtp_server
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
            "MAIL_SENDER": "Franko <franko@example.org>", "FRANKO_BASE_URL": BASE}


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[1]


@pytest.fixture
def account(app):
    with app.app_context():
        return make_profile(email="Owner@Example.com", password="old password").user_id


def reset_path(message) -> str:
    url = re.search(r"https?://\S+", message["body"]).group(0)
    assert url.startswith(BASE + "/auth/link/"), url  # built on FRANKO_BASE_URL, not the request's host
    return url[len(BASE):]


def test_forgot_password_emails_a_link_that_sets_a_new_password_once(client, app, inbox, account):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in page
    response = client.post("/auth/forgot", data={"email": "owner@example.com"}, follow_redirects=True)
    assert "a link to reset its password is on its way" in response.get_data(as_text=True)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["to"] == ["Owner@Example.com"] and message["subject"] == "Reset your Franko password"
    assert "franko@example.org" in message["from"]
    path = reset_path(message)
    assert client.get(path).status_code == 200
    assert client.post(path, data={"password": "brand new pass", "confirm": "brand new pass"}).status_code == 302
    client.post("/auth/logout")
    assert client.post("/auth/login", data={"email": "owner@example.com", "password": "old password"}).status_code == 200
    assert client.post("/auth/login", data={"email": "owner@example.com", "password": "brand new pass"}).status_code == 302
    assert client.get(path).status_code == 400  # used once


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, inbox, account):
    response = client.post("/auth/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert "a link to reset its password is on its way" in response.get_data(as_text=True)
    assert inbox.messages == []


def test_the_link_expires(client, app, inbox, account):
    client.post("/auth/forgot", data={"email": "owner@example.com"})
    app.config["FRANKO_RESET_LINK_MAX_AGE"] = -1
    path = reset_path(inbox.messages[0])
    assert client.get(path).status_code == 400
    assert client.post(path, data={"password": "brand new pass", "confirm": "brand new pass"}).status_code == 400
    with app.app_context():
        from franko.auth.passwords import verify_password

        assert verify_password(profile_by_email("owner@example.com").password_hash, "old password")


def test_sign_up_sends_the_verification_link_by_smtp(client, app, auth, inbox):
    auth.signup(email="new@example.com")
    (message,) = inbox.messages
    assert message["to"] == ["new@example.com"] and "Confirm your Franko email" == message["subject"]
    url = re.search(r"https?://\S+", message["body"]).group(0)
    assert url.startswith(BASE + "/auth/verify/")
    assert client.get(url[len(BASE):]).status_code == 302
    with app.app_context():
        assert profile_by_email("new@example.com").email_verified_at is not None


def test_a_mail_server_that_is_down_delays_the_email_until_it_is_back(client, app, account, inbox):
    """The request only queues the email; the queue retries it (with backoff) until the server takes it."""
    from franko.jobs import run_pending
    from tests.conftest import free_port

    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    response = client.post("/auth/forgot", data={"email": "owner@example.com"}, follow_redirects=True)
    assert response.status_code == 200
    assert "a link to reset its password is on its way" in response.get_data(as_text=True)
    assert inbox.messages == []
    app.config["MAIL_PORT"] = port  # the server is back: the retry goes through
    assert run_pending(app) == 1
    (message,) = inbox.messages
    assert message["subject"] == "Reset your Franko password"
    assert client.get(reset_path(message)).status_code == 200