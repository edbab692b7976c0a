"""A dependency down costs no 500: Redis down (a real redis-server stopped) leaves the pages working with
per-process limits and a warning, the database down answers a 503 page with Retry-After, and both
recover on their own."""
import time

import pytest
import redis
from sqlalchemy.engine import make_url

from franko.extensions import db
from tests.conftest import BACKENDS, RedisServer, database_url_from_env, make_app, new_database
from tests.factories import make_instance, make_profile
from tests.operating.tcp_proxy import TcpProxy

WRONG = {"email": "owner@example.com", "password": "wrong password"}


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test alone, which it may stop and start again."""
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


def app_on(url, **config):
    app = make_app(url, **config)
    with app.app_context():
        db.create_all()
    return app


def wait_for(condition, seconds=60):
    """Poll `condition` (no timing assertion: it only bounds the wait) until it holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_redis_down_costs_no_page_and_limits_come_back(tmp_path, redis_server, capsys):
    url, _ = new_database("sqlite", tmp_path)
    app = app_on(url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_server.url,
                 FRANKO_LOGIN_RATE_LIMIT="3 per minute", FRANKO_INTERVIEW_RATE_LIMIT="100 per minute")
    with app.app_context():
        instance_id = make_instance(make_profile(email="owner@example.com")).id
    client = app.test_client()
    assert client.get(f"/i/{instance_id}").status_code == 200

    redis_server.stop()
    codes = [client.get(path).status_code for path in ("/", f"/i/{instance_id}", "/auth/login", "/healthz")]
    assert codes == [200, 200, 200, 200]  # a load balancer keeps the server: it still serves every page
    assert client.get("/healthz").get_json() == {"status": "degraded", "down": ["redis"], "database": "ok",
                                                 "redis": "down"}
    # Meanwhile each process counts in its own memory: the login limit still holds.
    logins = [client.post("/auth/login", data=WRONG).status_code for _ in range(4)]
    assert logins == [200, 200, 200, 429]
    assert "Rate limit storage unreachable" in capsys.readouterr().err

    redis_server.start()
    store = redis.Redis.from_url(redis_server.url)
    # Back in Redis without a hand: a request after the limiter's next check writes its count there.
    assert wait_for(lambda: client.get(f"/i/{instance_id}").status_code == 200 and bool(store.keys("*")))
    assert client.get("/healthz").get_json()["status"] == "ok"
    store.flushdb()
    other = app.test_client()
    assert [other.post("/auth/login", data=WRONG).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert any(b"login" in key for key in store.keys("*"))


def unreachable_database(backend, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/no/such/directory/f.sqlite"
    from tests.conftest import free_port

    return make_url(database_url_from_env()).set(port=free_port(), database="nothing").render_as_string(False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_database_down_is_a_503_page_with_retry_after(backend, tmp_path, capsys):
    app = make_app(unreachable_database(backend, tmp_path))
    client = app.test_client()
    for path in ("/i/00000000-0000-0000-0000-000000000000", "/auth/forgot"):
        response = client.get(path) if path.startswith("/i/") else client.post(path, data={"email": "a@example.com"})
        assert response.status_code == 503, path
        assert response.headers["Retry-After"].isdigit()
        assert b"briefly unavailable" in response.data
    json_reply = client.get("/i/00000000-0000-0000-0000-000000000000", headers={"Accept": "application/json"})
    assert json_reply.status_code == 503 and json_reply.get_json()["status"] == 503
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["down"] == ["database"] and health.get_json()["database"] == "down"
    assert "database unavailable" in capsys.readouterr().err


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TEST_DATABASE_URL (a PostgreSQL to cut off)")
def test_a_postgresql_outage_is_503_and_the_pool_recovers(tmp_path):
    """A logged-in owner while the database goes away and comes back (through a proxy the test cuts)."""
    url, drop = new_database("postgresql", tmp_path)
    real = make_url(url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    try:
        app = app_on(real.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
        with app.app_context():
            make_profile(email="owner@example.com")
        client = app.test_client()
        assert client.post("/auth/login", data={"email": "owner@example.com",
                                                "password": "correct horse"}).status_code == 302
        assert client.get("/").status_code == 200

        proxy.cut()
        for _ in range(2):  # the pooled connection is dead, and no new one can be opened
            response = client.get("/")
            assert response.status_code == 503 and "Retry-After" in response.headers
        assert client.get("/healthz").status_code == 503

        proxy.restore()
        home = client.get("/")  # pool_pre_ping replaces the dead connection: no request is lost to it
        assert home.status_code == 200 and b"owner@example.com" in home.data
        assert client.get("/healthz").status_code == 200
        with app.app_context():
            db.engine.dispose()
    finally:
        proxy.cut()
        drop()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TEST_DATABASE_URL (a PostgreSQL to cut off)")
def test_a_connection_lost_after_the_page_was_made_is_no_500(tmp_path, capsys):
    """The connection dies between a page's last query and the end of its request (seen on the two-server cluster
    when the database hung: gunicorn answered its own 500, since the session's closing ROLLBACK raised)."""
    url, drop = new_database("postgresql", tmp_path)
    real = make_url(url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    try:
        app = app_on(real.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
        app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error escaping the app is a 500
        with app.app_context():
            instance_id = make_instance(make_profile(email="owner@example.com")).id
        cut = {"now": False}

        @app.after_request
        def lose_the_connection(response):  # the page is made, its transaction still open: the database goes
            if cut["now"]:
                proxy.cut()
            return response

        client = app.test_client()
        assert client.get(f"/i/{instance_id}").status_code == 200
        cut["now"] = True
        page = client.get(f"/i/{instance_id}")
        assert page.status_code == 200 and b"Start the interview" in page.data
        assert f"database connection lost at the end of request {page.headers['X-Request-ID']}" in capsys.readouterr().err
        cut["now"] = False
        proxy.restore()
        assert client.get(f"/i/{instance_id}").status_code == 200  # the pool replaced the dead connection
        with app.app_context():
            db.engine.dispose()
    finally:
        proxy.cut()
        drop()
