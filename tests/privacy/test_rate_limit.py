"""The private link's pages are rate-limited per client address (Flask-Limiter, as the public interview)."""
import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "FRANKO_PRIVATE_LINK_RATE_LIMIT": "3 per minute"}


def test_the_links_pages_are_rate_limited_per_address(app, done):
    _, _, _, path = done
    client = app.test_client()
    codes = [client.get(path).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/my-interview/not-a-token").status_code == 429  # per address, whatever the token
    other = app.test_client()
    other.environ_base = {"REMOTE_ADDR": "10.0.0.7"}
    assert other.get(path).status_code == 200
