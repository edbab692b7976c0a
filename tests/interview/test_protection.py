"""CSRF on every interview POST (the JSON one too) and the rate limits per IP and per response."""
import pytest

from tests.interview.conftest import Interviewee


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True, "FRANKO_INTERVIEW_RATE_LIMIT": "6 per minute"}


def test_json_answer_needs_the_csrf_header_or_field(app, setup):
    ada = Interviewee(app, setup.instance_id)
    ada.client.auto_csrf = False
    token = ada.csrf(ada.start_path)
    assert token
    assert ada.start(csrf_token=token).status_code == 302
    refused = ada.answer("An answer sent without any token.", as_json=True)
    assert refused.status_code == 400 and "error" in refused.get_json()
    assert len(ada.messages()) == 1
    sent = ada.answer("An answer sent with the header token.", as_json=True, headers={"X-CSRFToken": token})
    assert sent.status_code == 200 and sent.get_json()["outcome"] == "answered"
    assert len(ada.messages()) == 3


def test_intake_without_csrf_token_is_refused(app, setup):
    ada = Interviewee(app, setup.instance_id)
    ada.client.auto_csrf = False
    assert ada.start().status_code == 400


def test_answers_are_rate_limited_per_response(app, setup):
    ada = Interviewee(app, setup.instance_id)
    token = ada.csrf(ada.start_path)
    ada.start(csrf_token=token)
    codes = [ada.answer("", as_json=True, headers={"X-CSRFToken": token}).status_code for _ in range(8)]
    assert codes == [200] * 6 + [429] * 2
    # The same response from another IP (a per-IP limit would let this through): still limited.
    ada.client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    limited = ada.answer("", as_json=True, headers={"X-CSRFToken": token})
    assert limited.status_code == 429 and limited.get_json()["status"] == 429
    # Another response's answers (from another IP) are not held back by Ada's.
    bob = Interviewee(app, setup.instance_id)
    bob.client.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    bob_token = bob.csrf(bob.start_path)
    bob.start(csrf_token=bob_token)
    assert bob.answer("", as_json=True, headers={"X-CSRFToken": bob_token}).status_code == 200


def test_public_pages_are_rate_limited_per_ip(app, setup):
    client = app.test_client()
    codes = [client.get(f"/i/{setup.instance_id}").status_code for _ in range(8)]
    assert codes == [200] * 6 + [429] * 2
    other_ip = app.test_client()
    other_ip.environ_base["REMOTE_ADDR"] = "10.0.0.3"
    assert other_ip.get(f"/i/{setup.instance_id}").status_code == 200
