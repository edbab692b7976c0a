"""The job queue on both backends: a SQLite file (the embedded default) and a real Redis, run by real Huey consumers."""
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone

import pytest

from franko.jobs import job, queue, run_pending
from tests.conftest import make_app

RAN: list[tuple[str, str]] = []
FAILURES: dict[str, int] = {}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@job(retries=3, retry_delay=10)
def record(tag: str, value: str) -> None:
    """A test job: remembers that it ran (in this process)."""
    RAN.append((tag, value))


@job(retries=3, retry_delay=10)
def flaky(tag: str, failures: int) -> None:
    """A test job that fails `failures` times, then succeeds."""
    FAILURES[tag] = FAILURES.get(tag, 0) + 1
    if FAILURES[tag] <= failures:
        raise RuntimeError(f"failure {FAILURES[tag]} of {tag}")
    RAN.append((tag, "done"))


@pytest.fixture(params=["sqlite", "redis"])
def queued_app(request, tmp_path, empty_database_url):
    """An app whose jobs wait in a real queue (not run at once): a SQLite file, or Redis."""
    settings = {"FRANKO_QUEUE_IMMEDIATE": False, "FRANKO_QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}"}
    if request.param == "redis":
        settings["REDIS_URL"] = request.getfixturevalue("redis_url")
    else:
        settings["FRANKO_QUEUE_FILE"] = str(tmp_path / "jobs.sqlite")
    app = make_app(empty_database_url, **settings)
    yield app
    queue(app).flush()


def wait_for(condition, seconds: float = 20.0) -> bool:
    """Poll until `condition()` holds (a bounded wait for another thread or process, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_backend_follows_the_configuration(queued_app):
    storage = type(queue(queued_app).storage).__name__
    assert storage == ("RedisStorage" if queued_app.config.get("REDIS_URL") else "SqliteStorage")


def test_a_queued_job_waits_for_a_consumer_then_runs_once(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        record.enqueue(tag, "hello")
        assert (tag, "hello") not in RAN  # queued, not run in the caller
        assert queue().pending_count() == 1
    consumer = queue(queued_app).create_consumer(workers=2, worker_type="thread", periodic=False,
                                                 initial_delay=0.05, max_delay=0.2)
    consumer.start()
    try:
        assert wait_for(lambda: (tag, "hello") in RAN)
    finally:
        consumer.stop(graceful=True)
    assert RAN.count((tag, "hello")) == 1
    assert queue(queued_app).pending_count() == 0


def test_a_failing_job_is_retried_with_a_growing_delay_then_succeeds(queued_app):
    tag = uuid.uuid4().hex
    huey = queue(queued_app)
    with queued_app.app_context():
        flaky.enqueue(tag, 2)
    delays = []
    for _ in range(2):  # the first two runs fail: each puts the job back in the schedule, later each time
        task = huey.dequeue() or next(iter(huey.read_schedule(datetime(2100, 1, 1))), None)
        assert task is not None
        task.eta = None
        before = datetime.now(timezone.utc).replace(tzinfo=None)
        huey.execute(task)
        (scheduled,) = huey.scheduled()
        delays.append((scheduled.eta - before).total_seconds())
    assert 9 <= delays[0] <= 15 and 19 <= delays[1] <= 25  # 10 s, then 20 s: backoff doubles the delay
    assert run_pending(queued_app) == 1  # the third run, now
    assert FAILURES[tag] == 3 and RAN.count((tag, "done")) == 1
    assert huey.scheduled() == [] and huey.pending_count() == 0


def test_a_job_out_of_retries_stops(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        flaky.enqueue(tag, 99)
    assert run_pending(queued_app) == 4  # the first run and its three retries
    assert FAILURES[tag] == 4 and (tag, "done") not in RAN
    assert queue(queued_app).scheduled() == []


def test_the_worker_command_sends_a_queued_email(queued_app, smtp_server, tmp_path):
    """`flask franko worker`, the documented command, as its own process: it sends what the app queued."""
    from franko.mail.jobs import deliver_email

    port, inbox = smtp_server
    env = {**os.environ, "FLASK_DEBUG": "0", "SECRET_KEY": "worker-test", "FRANKO_BASE_URL": "http://127.0.0.1",
           "DATABASE_URL": queued_app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(port), "MAIL_USE_TLS": "0", "FRANKO_QUEUE_NAME": queued_app.config["FRANKO_QUEUE_NAME"],
           "REDIS_URL": queued_app.config.get("REDIS_URL") or "",
           "FRANKO_QUEUE_FILE": queued_app.config.get("FRANKO_QUEUE_FILE") or ""}
    with queued_app.app_context():
        deliver_email.enqueue("someone@example.com", "Queued", "Sent by the worker.")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "franko", "worker", "--threads", "2"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for(lambda: inbox.messages or worker.poll() is not None, 60), "the worker sent nothing"
    finally:
        worker.send_signal(signal.SIGINT)  # graceful: running jobs finish first
        output = worker.communicate(timeout=30)[0]
    assert [m["subject"] for m in inbox.messages] == ["Queued"], output
    assert inbox.messages[0]["to"] == ["someone@example.com"]
    assert "Franko worker: 2 thread(s)" in output


def test_tests_run_jobs_at_once_by_default(app):
    """The other tests' apps run a job when it is queued (Huey's immediate mode), so flows stay synchronous."""
    tag = uuid.uuid4().hex
    with app.app_context():
        record.enqueue(tag, "now")
    assert (tag, "now") in RAN



def test_a_delayed_job_waits_in_the_schedule(queued_app):
    """`enqueue(delay=…)` (the themes, a while after a completion) carries its time; run_pending runs it now."""
    tag = uuid.uuid4().hex
    huey = queue(queued_app)
    with queued_app.app_context():
        record.enqueue(tag, "later", delay=30)
    (scheduled,) = huey.pending()  # huey queues it with its time; a consumer holds it back until then
    assert (tag, "later") not in RAN
    assert 25 <= (scheduled.eta - datetime.now(timezone.utc).replace(tzinfo=None)).total_seconds() <= 31
    assert run_pending(queued_app) == 1 and (tag, "later") in RAN
