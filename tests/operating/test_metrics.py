"""/metrics: Prometheus' text, behind a bearer token, counted per route name; summed over gunicorn's processes."""
import os
import signal
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from franko import metrics
from franko.extensions import db
from tests.conftest import free_port, make_app, new_database
from tests.operating.servers import Gunicorn

TOKEN = "s3cret-metrics-token"


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample (0 when absent) in an exposition."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


def app_with(tmp_path, **config):
    url, _ = new_database("sqlite", tmp_path)
    app = make_app(url, **config)
    with app.app_context():
        db.create_all()
    return app


def scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


def test_metrics_need_the_token(tmp_path):
    assert app_with(tmp_path).test_client().get("/metrics").status_code == 404  # no token set: no /metrics
    client = app_with(tmp_path, FRANKO_METRICS_TOKEN=TOKEN).test_client()
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert b"franko_http_request_duration_seconds" not in missing.data


def test_requests_are_counted_by_route_name_not_path(tmp_path):
    client = app_with(tmp_path, FRANKO_METRICS_TOKEN=TOKEN).test_client()
    before = scrape(client)
    client.get("/i/6f1c1111-2222-3333-4444-555566667777")  # an unknown interview: a 404 of a known route
    client.get("/auth/link/a-secret-token-in-the-path")
    after = scrape(client)
    assert "6f1c1111" not in after and "a-secret-token" not in after
    for endpoint, status in (("interview.start", "4xx"), ("auth.login_link", "4xx")):
        counted = sample(after, "franko_http_requests_total", endpoint=endpoint, method="GET", status=status)
        assert counted == sample(before, "franko_http_requests_total", endpoint=endpoint, method="GET",
                                 status=status) + 1
        assert sample(after, "franko_http_request_duration_seconds_count", endpoint=endpoint, method="GET") >= 1
    assert 'franko_jobs{state="waiting"}' in after  # the queue's depth, read at the scrape


def test_turns_fallbacks_and_emails_are_counted(tmp_path, smtp_server):
    port, inbox = smtp_server
    app = app_with(tmp_path, FRANKO_METRICS_TOKEN=TOKEN, MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                   MAIL_USE_TLS=False)
    client = app.test_client()
    before = scrape(client)
    metrics.observe_turn(1.5, by="model")
    metrics.observe_turn(0.01, by="default")
    metrics.count_fallback()
    client.post("/auth/signup", data={"email": "o@example.com", "password": "correct horse",
                                      "confirm": "correct horse"})  # the verification email
    assert len(inbox.messages) == 1
    after = scrape(client)

    def grew(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("franko_interview_turn_duration_seconds_count", by="model") == 1
    assert grew("franko_interview_turn_duration_seconds_count", by="default") == 1
    assert grew("franko_interview_fallbacks_total") == 1
    assert grew("franko_emails_total", result="sent") == 1

    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the mail server is down
    client.post("/auth/logout")
    client.post("/auth/forgot", data={"email": "o@example.com"})
    assert sample(scrape(client), "franko_emails_total", result="failed") == sample(before, "franko_emails_total",
                                                                                    result="failed") + 1


# --- under a real gunicorn with two worker processes ------------------------------------------

def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def ready(base: str) -> bool:
    """A worker answers (asked on a route the test does not count; a busy machine may be slow to boot one)."""
    try:
        return get(base + "/no-such-page")[0] == 404
    except OSError:
        return False


def worker_pids(master: int) -> set[int]:
    with open(f"/proc/{master}/task/{master}/children") as children:
        return {int(pid) for pid in children.read().split()}


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_counts_are_summed_over_gunicorns_processes(tmp_path):
    """Requests served by two workers, then by two new ones after both were killed: /metrics counts all."""
    port, metrics_dir = free_port(), tmp_path / "metrics"
    metrics_dir.mkdir()
    server = Gunicorn(tmp_path, port, FRANKO_METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
                      WEB_CONCURRENCY="2", GUNICORN_THREADS="2")
    base, answered = f"http://127.0.0.1:{port}", []

    def healthy() -> bool:
        code = get(base + "/healthz")[0]
        answered.append(code)
        return code == 200

    try:
        master = server.process.pid
        assert wait_for(lambda: len(worker_pids(master)) == 2 and ready(base))
        first = worker_pids(master)
        for _ in range(10):
            assert healthy()
        for pid in first:
            os.kill(pid, signal.SIGKILL)  # gunicorn starts two new workers; child_exit marks the dead ones
        assert wait_for(lambda: len(worker_pids(master) - first) == 2)
        assert wait_for(lambda: ready(base))
        for _ in range(10):
            assert healthy()
        writers = {name.removesuffix(".db").rsplit("_", 1)[-1] for name in os.listdir(metrics_dir)}
        assert len(writers) >= 4  # four worker processes wrote counts: two killed, two alive
        text = get(base + "/metrics", TOKEN)[1]
        assert sample(text, "franko_http_requests_total", endpoint="main.healthz", method="GET", status="2xx") \
            == answered.count(200) >= 20
        assert sample(text, "franko_http_requests_total", endpoint="main.healthz", method="GET", status="2xx") \
            == sample(text, "franko_http_request_duration_seconds_count", endpoint="main.healthz", method="GET")
    finally:
        server.stop()


def test_webhook_deliveries_are_counted(tmp_path):
    from franko.webhooks.services import send_test_event
    from tests.factories import make_instance, make_profile
    from tests.webhooks.conftest import Receiver, hook_up

    receiver = Receiver()
    try:
        app = app_with(tmp_path, FRANKO_METRICS_TOKEN=TOKEN)
        client = app.test_client()
        before = scrape(client)
        receiver.answers = [200, 500]
        with app.app_context():
            instance = make_instance(make_profile())
            hook_up(instance.id, receiver.url)
            db.session.commit()
            for _ in range(2):  # delivered at once; then the receiver fails: one more attempt will follow
                send_test_event(instance)
                db.session.commit()
        after = scrape(client)
    finally:
        receiver.stop()
    assert len(receiver.requests) == 2
    for result in ("delivered", "retrying"):
        assert sample(after, "franko_webhook_deliveries_total", result=result) == \
            sample(before, "franko_webhook_deliveries_total", result=result) + 1
