"""The jobs table as a queue, on SQLite and PostgreSQL: queued with the caller's commit, leased, retried, failed, retried by hand."""
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from franko.extensions import db
from franko.jobs import RetryLater, job, queue, register, run_pending
from franko.jobs.claims import take
from franko.jobs.models import JobClaim, QueuedJob
from franko.jobs.store import INLINE_HOLDER, claim, hand_back, renew, run_claimed
from franko.models import utcnow
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


@job(retries=0)
def busy(tag: str) -> None:
    """A test job whose effect another worker holds."""
    RAN.append((tag, "busy"))
    raise RetryLater(5)


@pytest.fixture
def queued_app(empty_database_url):
    """An app whose jobs wait in the table for a worker (not run when their transaction commits)."""
    app = make_app(empty_database_url, FRANKO_QUEUE_IMMEDIATE=False)
    register(app, record, flaky, busy)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def rows(app) -> list[QueuedJob]:
    with app.app_context():
        found = db.session.scalars(sa.select(QueuedJob).order_by(QueuedJob.id)).all()
        db.session.expunge_all()
        return found


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Poll until `condition()` holds (a bounded wait for another process, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_a_job_is_queued_only_by_its_transactions_commit(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        record.enqueue(tag, "lost")
        db.session.rollback()  # the change failed: its job goes with it
        record.enqueue(tag, "kept")
        db.session.commit()
    assert [(r.name, r.args, r.status) for r in rows(queued_app)] == [(record.name, f'["{tag}", "kept"]', "waiting")]
    assert RAN.count((tag, "kept")) == 0  # queued, not run in the caller
    assert run_pending(queued_app) == 1
    assert (tag, "kept") in RAN and (tag, "lost") not in RAN and rows(queued_app) == []


def test_a_failing_job_is_retried_with_a_growing_delay_then_succeeds(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        flaky.enqueue(tag, 2)
        db.session.commit()
    delays = []
    for _ in range(2):  # the first two runs fail: each puts the job back, later each time
        with queued_app.app_context():
            (row,) = claim("test-worker", 5, any_time=True)
            before = utcnow()
        assert run_claimed(queued_app, row, "test-worker") == "retry"
        (stored,) = rows(queued_app)
        delays.append((stored.run_at - before).total_seconds())
        assert stored.status == "waiting" and "failure" in stored.last_error and stored.lease_until is None
    assert 9 <= delays[0] <= 12 and 19 <= delays[1] <= 22  # 10 s, then 20 s: backoff doubles the delay
    with queued_app.app_context():
        assert claim("test-worker", 5) == []  # not due yet
    assert run_pending(queued_app) == 1  # the third run, now
    assert FAILURES[tag] == 3 and RAN.count((tag, "done")) == 1 and rows(queued_app) == []


def test_a_job_out_of_attempts_fails_and_is_retried_by_hand(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        flaky.enqueue(tag, 4, key=f"flaky:{tag}")
        db.session.commit()
    assert run_pending(queued_app) == 4  # the first run and its three retries
    (failed,) = rows(queued_app)
    assert (failed.status, failed.attempts, failed.key) == ("failed", 4, None)  # no key held: a new one may queue
    runner = queued_app.test_cli_runner()
    listing = runner.invoke(args=["franko", "jobs", "--failed"])
    assert listing.exit_code == 0 and "failed 1" in listing.output and f"{failed.id}" in listing.output
    assert "RuntimeError: failure 4" in listing.output
    assert runner.invoke(args=["franko", "jobs", "--retry", str(failed.id)]).exit_code == 0
    assert rows(queued_app)[0].status == "waiting"
    assert runner.invoke(args=["franko", "jobs", "--retry", str(failed.id)]).exit_code != 0  # not failed any more
    assert run_pending(queued_app) == 1 and (tag, "done") in RAN and rows(queued_app) == []


def test_a_key_allows_one_waiting_or_running_job(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        assert record.enqueue(tag, "first", key=tag) is True
        assert record.enqueue(tag, "second", key=tag) is False
        db.session.commit()
    assert run_pending(queued_app) == 1 and (tag, "first") in RAN and (tag, "second") not in RAN
    with queued_app.app_context():  # done: the key is free again
        assert record.enqueue(tag, "third", key=tag) is True
        db.session.commit()


def test_a_lost_workers_job_runs_again_once_its_lease_expires(queued_app):
    """A worker that died holds its lease until it expires; heartbeats keep a living one's; a stale finish changes nothing."""
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        record.enqueue(tag, "once")
        db.session.commit()
        (lost,) = claim("worker-that-dies", 5)
        assert claim("another-worker", 5) == []  # leased
        assert renew("worker-that-dies") == 1
        db.session.execute(sa.update(QueuedJob).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        (again,) = claim("another-worker", 5)  # the lease expired: due again, one attempt more
    assert (again.id, again.attempts) == (lost.id, 2)
    assert run_claimed(queued_app, lost, "worker-that-dies") == "done"  # its late run cannot remove the new lease
    assert [r.leased_by for r in rows(queued_app)] == ["another-worker"]
    assert run_claimed(queued_app, again, "another-worker") == "done"
    assert rows(queued_app) == []


def test_a_stopping_worker_hands_its_jobs_back_uncounted(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        record.enqueue(tag, "handed")
        db.session.commit()
        claim("stopping-worker", 5)
        db.session.add(JobClaim(key="notify:x", holder="stopping-worker", lease_until=utcnow() + timedelta(hours=1)))
        db.session.commit()
        assert hand_back("stopping-worker") == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JobClaim)) == 0
    (row,) = rows(queued_app)
    assert (row.status, row.attempts, row.leased_by) == ("waiting", 0, None)


def test_an_effect_claim_is_a_lease(queued_app):
    with queued_app.app_context():
        assert take("notify:1") is True
        assert take("notify:1") is False  # held (by this process, as by any other)
        db.session.execute(sa.update(JobClaim).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert take("notify:1") is True  # its holder was lost: taken over


def test_retry_later_is_not_counted(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        busy.enqueue(tag)
        db.session.commit()
        (row,) = claim(INLINE_HOLDER, 1)
    assert run_claimed(queued_app, row, INLINE_HOLDER) == "retry"
    (stored,) = rows(queued_app)
    assert stored.status == "waiting" and stored.attempts == 0 and stored.run_at > utcnow() + timedelta(seconds=3)


def test_a_delayed_job_waits_until_its_time(queued_app):
    tag = uuid.uuid4().hex
    with queued_app.app_context():
        record.enqueue(tag, "later", delay=30)
        db.session.commit()
        assert claim("worker", 5) == []
    (row,) = rows(queued_app)
    assert 25 <= (row.run_at - utcnow()).total_seconds() <= 31
    assert run_pending(queued_app) == 1 and (tag, "later") in RAN  # run-jobs runs it now


def test_tests_run_jobs_when_their_transaction_commits(app):
    """The other tests' apps run a job as its transaction commits, so flows stay synchronous."""
    tag = uuid.uuid4().hex
    register(app, record)
    with app.app_context():
        record.enqueue(tag, "now")
        assert (tag, "now") not in RAN
        db.session.commit()
    assert (tag, "now") in RAN
    assert rows(app) == []


def test_a_job_registered_on_one_app_is_unknown_to_another(queued_app, empty_database_url):
    """Each app has its own registry: these tests' jobs never reach the other tests' apps, and a worker refuses them."""
    other = make_app(empty_database_url, FRANKO_QUEUE_IMMEDIATE=False)
    assert record.name in queue(queued_app) and record.name not in queue(other)
    assert "franko.mail.jobs.deliver_email" in queue(other)  # the features registered theirs
    tag = uuid.uuid4().hex
    with other.app_context():
        record.enqueue(tag, "elsewhere")
        db.session.commit()
    assert run_pending(other) >= 1 and (tag, "elsewhere") not in RAN
    [row] = [row for row in rows(other) if json.loads(row.args) == [tag, "elsewhere"]]
    assert "No job is called" in row.last_error
    with other.app_context():
        db.engine.dispose()


def test_the_worker_command_sends_a_queued_email_and_stops_on_sigterm(queued_app, smtp_server):
    """`flask franko worker`, the documented command, as its own process: it sends what the app queued."""
    from franko.mail.jobs import deliver_email

    port, inbox = smtp_server
    env = {**os.environ, "FLASK_DEBUG": "0", "SECRET_KEY": "worker-test", "FRANKO_BASE_URL": "http://127.0.0.1",
           "DATABASE_URL": queued_app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(port), "MAIL_USE_TLS": "0"}
    with queued_app.app_context():
        deliver_email.enqueue("someone@example.com", "Queued", "Sent by the worker.")
        db.session.commit()
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "franko", "worker", "--threads", "2"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for(lambda: inbox.messages or worker.poll() is not None, 60), "the worker sent nothing"
        assert wait_for(lambda: rows(queued_app) == [], 30)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=60)[0]
    assert [m["subject"] for m in inbox.messages] == ["Queued"], output
    assert "Franko worker: 2 thread(s)" in output
    assert "SIGTERM: taking no new job" in output and "stopped on SIGTERM; every running job finished" in output
    assert worker.returncode == 0


def test_crontab_reads_cron_fields():
    from datetime import datetime

    from franko.jobs.schedule import crontab

    hourly, every_quarter, office = crontab(minute="0"), crontab(minute="*/15"), crontab(minute="0,30", hour="8-17")
    assert hourly(datetime(2026, 1, 1, 4, 0)) and not hourly(datetime(2026, 1, 1, 4, 1))
    assert [m for m in range(60) if every_quarter(datetime(2026, 1, 1, 4, m))] == [0, 15, 30, 45]
    assert office(datetime(2026, 1, 1, 8, 30)) and not office(datetime(2026, 1, 1, 18, 0))
    with pytest.raises(ValueError):
        crontab(minute="61")


def test_each_worker_queues_a_periodic_job_once_a_minute(queued_app):
    from datetime import datetime

    from franko.jobs.worker import queue_periodic

    on_the_hour = datetime(2026, 1, 1, 8, 0)
    with queued_app.app_context():
        assert queue_periodic(on_the_hour) == 2  # the digests (hourly) and the stale deliveries' sweep (each minute)
        queue_periodic(on_the_hour)  # another worker, the same minute: its keys are taken
        assert queue_periodic(datetime(2026, 1, 1, 8, 1)) == 1
    assert sorted(r.name.rsplit(".", 1)[1] for r in rows(queued_app)) == [
        "requeue_stale_deliveries", "requeue_stale_deliveries", "send_digests"]
