"""Login is rate-limited (TestingConfig turns limits off; this module turns them on)."""
import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "FRANKO_LOGIN_RATE_LIMIT": "3 per minute"}


def test_login_posts_beyond_the_limit_get_429(client, auth):
    for _ in range(3):
        assert auth.login(password="wrong password").status_code == 200
    response = auth.login()
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)


def test_viewing_the_login_page_is_not_limited(client):
    for _ in range(5):
        assert client.get("/auth/login").status_code == 200
