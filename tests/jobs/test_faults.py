"""Faults made for real: a worker SIGKILLed, SIGTERMed and SIGINTed while the SMTP server and the webhook receiver
hold their answers, and the web process killed right after a completion's commit. Every completion still ends with
exactly one email accepted by the SMTP server and a delivered webhook; nothing stays pending (SQLite, and PostgreSQL
with Redis)."""
import os
import signal

import pytest
import sqlalchemy as sa

from franko.extensions import db
from franko.jobs.models import JobClaim, QueuedJob
from franko.models import ChatResponse, WebhookDelivery
from tests.conftest import free_port, make_app
from tests.factories import make_instance
from tests.jobs.faults import HoldingReceiver, HoldingSMTP, HTTPInterviewee, Process, wait_for
from tests.notifications.conftest import ANSWERS, complete_interview, make_owner
from tests.webhooks.conftest import hook_up

GUIDE = "# Bakery study\n- What do you do?\n- What is hard about it?\n- What would help?"
LEASE = 3  # seconds: a lost worker's jobs run again this soon (short, to keep the test quick)


class World:
    """The database, the holding servers, the owner's instance with its webhook, and the processes' environment."""

    def __init__(self, url: str, tmp_path, redis_url: str | None):
        self.smtp, self.receiver, self.tmp = HoldingSMTP(), HoldingReceiver(), tmp_path
        self.app = make_app(url, FRANKO_QUEUE_IMMEDIATE=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=self.smtp.port,
                            MAIL_USE_TLS=False, FRANKO_BASE_URL="http://127.0.0.1")
        with self.app.app_context():
            db.create_all()
            owner = make_owner("each", total_responses_available=50)
            self.instance_id = make_instance(owner, guide=GUIDE).id
            hook_up(self.instance_id, self.receiver.url)
        self.env = {**os.environ, "FLASK_DEBUG": "0", "SECRET_KEY": "fault-test", "FRANKO_BASE_URL": "http://127.0.0.1",
                    "DATABASE_URL": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.smtp.port),
                    "MAIL_USE_TLS": "0", "FRANKO_WEBHOOK_ALLOW_PRIVATE": "1", "FRANKO_JOB_LEASE": str(LEASE),
                    "FRANKO_WORKER_GRACE": "20", "FRANKO_WORKER_POLL": "0.1", "FRANKO_THEMES_DELAY": "1",
                    "FRANKO_INSECURE_COOKIES": "1"}
        if redis_url:
            self.env.update(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
        self.workers = 0
        self.processes: list[Process] = []

    def worker(self, **env) -> Process:
        self.workers += 1
        process = Process.worker({**self.env, **env}, str(self.tmp / f"worker-{self.workers}.log"))
        self.processes.append(process)
        return process

    def complete(self, *names: str) -> None:
        for name in names:
            complete_interview(self.app, self.instance_id, first_name=name)

    def hold(self) -> None:
        self.smtp.hold.set()
        self.receiver.hold.set()

    def release(self) -> None:
        self.smtp.hold.clear()
        self.receiver.hold.clear()

    def both_held(self) -> bool:
        """An email waits for its 250 and a webhook for its answer: the worker is in the middle of both."""
        return self.smtp.waiting >= 1 and self.receiver.waiting >= 1

    def query(self, statement):
        with self.app.app_context():
            try:
                return db.session.execute(statement).all()
            finally:
                db.session.remove()

    def settled(self) -> bool:
        """No job left, every completed response emailed and its delivery delivered."""
        return (self.query(sa.select(QueuedJob.id)) == []
                and self.query(sa.select(ChatResponse.id).where(ChatResponse.status == "completed",
                                                                ChatResponse.notified_at.is_(None))) == []
                and self.query(sa.select(WebhookDelivery.id).where(WebhookDelivery.status != "delivered")) == [])

    def stop(self):
        for process in self.processes:  # a failed test leaves none running
            if not process.closed:
                process.signal(signal.SIGKILL)
                process.wait(10)
        self.smtp.stop()
        self.receiver.stop()
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def world(request, empty_database_url, tmp_path):
    redis_url = request.getfixturevalue("redis_url") if empty_database_url.startswith("postgresql") else None
    found = World(empty_database_url, tmp_path, redis_url)
    yield found
    found.stop()


def crash_after_commit(world: World, names: list[str]) -> None:
    """gunicorn whose worker process kills itself right after a completion's commit (the test hook), answering nothing."""
    port = free_port()
    web = Process([os.sys.executable, "-m", "gunicorn", "app:app"],
                  {**world.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2",
                   "FRANKO_TEST_CRASH_AT": "completion_committed"}, str(world.tmp / "gunicorn.log"))
    world.processes.append(web)
    base = f"http://127.0.0.1:{port}"
    import requests

    def up() -> bool:
        try:
            return requests.get(base + "/healthz", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or its worker still booting
            return False

    try:
        for name in names:
            assert wait_for(up, 60), web.output()
            interviewee = HTTPInterviewee(base, world.instance_id)
            interviewee.start(name)
            codes = [interviewee.answer(text) for text in ANSWERS]
            interviewee.close()
            assert codes[:-1] == [302, 302] and codes[-1] is None, (codes, web.output())  # no answer: it died
        assert web.output().count("FRANKO_TEST_CRASH_AT=completion_committed") == len(names)
    finally:
        web.signal(signal.SIGTERM)
        web.wait(30)


def test_every_completion_is_emailed_once_and_posted_whatever_is_killed(world):
    # 1. SIGKILL: the worker dies while an email waits for its 250 and a webhook for its answer.
    first = world.worker()
    world.hold()
    world.complete("Ada", "Bea", "Cyd")
    assert wait_for(world.both_held, 60), first.output()
    first.signal(signal.SIGKILL)
    first.wait(10)
    world.release()

    # 2. SIGTERM while held, answered within the grace: no new job, the running ones finish, exit 0.
    second = world.worker()
    world.hold()
    world.complete("Dot", "Eve", "Fay")
    assert wait_for(world.both_held, 60), second.output()
    second.signal(signal.SIGTERM)
    assert wait_for(lambda: "SIGTERM: taking no new job" in second.output(), 20), second.output()
    second.signal(signal.SIGTERM)  # a second signal (an impatient deploy, make run's trap) changes nothing
    assert wait_for(lambda: "SIGTERM while stopping" in second.output(), 20), second.output()
    world.release()
    assert second.wait(40) == 0
    assert "stopped on SIGTERM; every running job finished" in second.output(), second.output()

    # 3. SIGINT while held beyond the grace: the unfinished jobs go back to the queue, the worker exits.
    third = world.worker(FRANKO_WORKER_GRACE="2")
    world.hold()
    world.complete("Gil", "Hal")
    assert wait_for(world.both_held, 60), third.output()
    third.signal(signal.SIGINT)
    assert third.wait(30) == 0
    assert "handed back to the queue" in third.output(), third.output()
    world.release()

    # 4. The web process dies right after committing a completion, before it answers.
    crash_after_commit(world, ["Ivy", "Jon"])

    # 5. A new worker finds everything still owed and does it.
    last = world.worker()
    assert wait_for(world.settled, 120), last.output()
    last.signal(signal.SIGTERM)
    assert last.wait(40) == 0

    names = ["Ada", "Bea", "Cyd", "Dot", "Eve", "Fay", "Gil", "Hal", "Ivy", "Jon"]
    completed = world.query(sa.select(ChatResponse.id, ChatResponse.interviewee_first_name)
                            .where(ChatResponse.status == "completed"))
    assert sorted(name for _, name in completed) == names
    for name in names:  # exactly one email accepted by the SMTP server per completion
        emails = [m for m in world.smtp.accepted if m["subject"].startswith(f"New response: {name} ")]
        assert len(emails) == 1, (name, world.smtp.accepted)
    deliveries = world.query(sa.select(WebhookDelivery.id, WebhookDelivery.status, WebhookDelivery.response_code))
    assert len(deliveries) == len(names)
    for delivery_id, status, code in deliveries:  # every delivery answered 2xx at least once
        assert (status, code) == ("delivered", 200) and str(delivery_id) in world.receiver.answered
    assert world.query(sa.select(QueuedJob.id)) == [] and world.query(sa.select(JobClaim.key)) == []
    # The faults did happen: something was sent twice to the receiver, or an email came back after a lost worker.
    assert len(world.receiver.arrived) > len(names) or len(world.smtp.arrived) > len(names)
