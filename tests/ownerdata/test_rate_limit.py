"""Asking for archives and deletion links sends emails: limited like the other emailing forms."""
import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "FRANKO_EMAIL_RATE_LIMIT": "2 per hour"}


def test_the_third_request_within_the_hour_is_refused(client, owner):
    assert client.post("/profile/data/delete").status_code == 303
    assert client.post("/profile/data/delete").status_code == 303
    assert client.post("/profile/data/delete").status_code == 429
    assert client.get("/profile/data/").status_code == 200  # reading the page is not limited
