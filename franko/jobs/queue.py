"""Jobs in the app's database: `@job` makes a function a job, `.enqueue()` writes a row in the caller's transaction.

A job is a plain function of plain values (ids, not objects), run in an app context of its own
by `flask franko worker` (franko.jobs.worker). Its row is written by the same commit as the
change it follows, so no crash between the commit and a queue loses it (an outbox); a worker
leases the row while it runs, so a job whose worker died runs again once the lease expires.
A job may therefore run twice: each one claims its effect (franko.jobs.claims) or recomputes a
value that is the same however often it is written.
"""
from __future__ import annotations

import contextvars
import json
import logging
import os
import signal
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from franko.clock import utcnow
from franko.database import insert_ignoring_duplicates
from franko.extensions import db
from franko.jobs.models import WAITING, QueuedJob

log = logging.getLogger(__name__)

# Who runs the current job: the worker's id (its leases), or this process when run inline.
HOLDER: contextvars.ContextVar[str] = contextvars.ContextVar("franko_job_holder")
INLINE_HOLDER = f"inline:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class RetryLater(Exception):  # noqa: N818 — a request to the queue, not an error
    """Raised by a job that cannot go on yet (another worker holds its effect): run again in `seconds`, not counted."""

    def __init__(self, seconds: float, reason: str = ""):
        super().__init__(reason or f"retry in {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Job:
    """A function the queue runs; retried `retries` times, `retry_delay` seconds apart, doubling each time."""

    func: Callable
    retries: int
    retry_delay: int
    schedule: Callable | None = None  # periodic jobs: crontab(...) (franko.jobs.schedule), a test of a minute

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"

    def __call__(self, *args):
        """Run the job now, in the caller's context and transaction."""
        return self.func(*args)

    def enqueue(self, *args, delay: float | None = None, key: str | None = None) -> bool:
        """Add the job to the caller's transaction (it is queued when the caller commits), not before `delay` seconds.

        With `key`, at most one waiting or running job holds that key: a second enqueue is dropped
        (returns False).
        """
        config = current_app.config
        if config.get("FRANKO_QUEUE_DISCARD"):  # bench/completion.py's baseline only
            return False
        now = utcnow()
        values = dict(name=self.name, args=json.dumps(list(args)), key=key, status=WAITING,
                      run_at=now + timedelta(seconds=delay or 0), attempts=0, max_attempts=self.retries + 1,
                      retry_delay=self.retry_delay, created_at=now)
        insert = sa.insert(QueuedJob).values(**values) if key is None else insert_ignoring_duplicates(QueuedJob, **values)
        job_id = db.session.execute(insert.returning(QueuedJob.id)).scalar()
        if job_id is not None and config.get("FRANKO_QUEUE_IMMEDIATE"):
            db.session.info.setdefault("franko_immediate", []).append(job_id)
        return job_id is not None


def job(retries: int = 5, retry_delay: int = 10) -> Callable[[Callable], Job]:
    """Make a function a job (retries with backoff: 10 s, 20 s, 40 s, … by default); `register` gives it to an app."""
    return lambda func: Job(func, retries, retry_delay)


def periodic(schedule: Callable) -> Callable[[Callable], Job]:
    """Make a function a job each worker queues on a schedule, e.g. `periodic(crontab(minute="0"))` (3 attempts)."""
    return lambda func: Job(func, 2, 10, schedule)


def crash_point(name: str) -> None:
    """The fault test's hook: the process kills itself here when FRANKO_TEST_CRASH_AT names this point."""
    if current_app.config.get("FRANKO_TEST_CRASH_AT") == name:
        log.warning("FRANKO_TEST_CRASH_AT=%s: this process kills itself now", name)
        os.kill(os.getpid(), signal.SIGKILL)


def holder() -> str:
    """The id under which the current job's leases and claims are held."""
    return HOLDER.get(INLINE_HOLDER)


def init_app(app: Flask) -> None:
    """The app's job registry, empty: each feature registers its jobs from its own `init_app`."""
    app.extensions["franko_queue"] = {}


def register(app: Flask, *jobs: Job) -> None:
    """Let this app's workers run `jobs` (a worker refuses a job its app does not know)."""
    registry = queue(app)
    for found in jobs:
        registry[found.name] = found


def register_module(app: Flask, module) -> None:
    """Register every job defined in `module` (a feature's jobs module; jobs it imports are their own module's)."""
    register(app, *(value for value in vars(module).values()
                    if isinstance(value, Job) and value.func.__module__ == module.__name__))


def queue(app: Flask | None = None) -> dict[str, Job]:
    """The jobs registered on `app` (the current app by default), by name."""
    return (app or current_app).extensions["franko_queue"]
