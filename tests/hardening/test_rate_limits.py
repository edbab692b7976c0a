"""Rate limits: sign-up and the emailing forms are limited too, and with RATELIMIT_STORAGE_URI naming a
Redis (a real redis-server, started by the fixture) every worker shares one count."""
import pytest
import redis

from tests.conftest import make_app, new_database
from franko.extensions import db


def limited_app(tmp_path, **config):
    url, _ = new_database("sqlite", tmp_path)
    app = make_app(url, RATELIMIT_ENABLED=True, **config)
    with app.app_context():
        db.create_all()
    return app


def test_sign_up_is_limited(tmp_path):
    app = limited_app(tmp_path, FRANKO_SIGNUP_RATE_LIMIT="2 per hour")
    client = app.test_client()
    for n in range(2):
        client.post("/auth/signup", data={"email": f"a{n}@example.com", "password": "correct horse",
                                          "confirm": "correct horse"})
        client.post("/auth/logout")
    response = client.post("/auth/signup", data={"email": "a9@example.com", "password": "correct horse",
                                                 "confirm": "correct horse"})
    assert response.status_code == 429
    assert client.get("/auth/signup").status_code == 200  # viewing the form is not limited


def test_forgot_password_is_limited(tmp_path):
    app = limited_app(tmp_path, FRANKO_EMAIL_RATE_LIMIT="2 per hour")
    client = app.test_client()
    codes = [client.post("/auth/forgot", data={"email": "x@example.com"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_workers_share_the_login_count_through_redis(tmp_path, redis_url):
    """Two app instances (two gunicorn workers, or two machines) on one Redis: the limit counts both."""
    redis.Redis.from_url(redis_url).flushdb()
    config = {"RATELIMIT_STORAGE_URI": redis_url, "FRANKO_LOGIN_RATE_LIMIT": "3 per minute"}
    first, second = limited_app(tmp_path, **config), limited_app(tmp_path, **config)
    wrong = {"email": "owner@example.com", "password": "wrong password"}
    assert first.test_client().post("/auth/login", data=wrong).status_code == 200
    assert second.test_client().post("/auth/login", data=wrong).status_code == 200
    assert first.test_client().post("/auth/login", data=wrong).status_code == 200
    assert second.test_client().post("/auth/login", data=wrong).status_code == 429
    assert any(b"login" in key for key in redis.Redis.from_url(redis_url).keys("*"))


def test_interview_limits_live_in_redis_too(tmp_path, redis_url):
    from tests.factories import make_instance, make_profile

    redis.Redis.from_url(redis_url).flushdb()
    config = {"RATELIMIT_STORAGE_URI": redis_url, "FRANKO_INTERVIEW_RATE_LIMIT": "2 per minute"}
    first, second = limited_app(tmp_path, **config), limited_app(tmp_path, **config)
    with first.app_context():
        instance_id = make_instance(make_profile()).id
    codes = [app.test_client().get(f"/i/{instance_id}").status_code for app in (first, second, first)]
    assert codes[2] == 429


@pytest.mark.parametrize("hops,expected", [(0, 429), (1, 200)])
def test_behind_a_proxy_each_client_has_its_own_count(tmp_path, hops, expected):
    """FRANKO_PROXY_HOPS=1: the client address comes from X-Forwarded-For, so one client's limit is
    not everyone's; without the setting the header is ignored (a client cannot pick its address)."""
    app = limited_app(tmp_path, FRANKO_PROXY_HOPS=hops, FRANKO_LOGIN_RATE_LIMIT="1 per minute")
    wrong = {"email": "owner@example.com", "password": "wrong password"}
    client = app.test_client()
    assert client.post("/auth/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    other = client.post("/auth/login", data=wrong, headers={"X-Forwarded-For": "203.0.113.2"})
    assert other.status_code == expected
