"""Jobs on Huey: registered once at import, bound to each app's queue in `init_app`.

A job is a plain function of plain values (ids, not objects), run in an app context of its own.
It must be safe to run twice (a retry, a replay, a worker that died after the work but before
the acknowledgement): every job claims its effect with a conditional UPDATE, or recomputes a value
that is the same however often it is written.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app
from huey import BlackHoleHuey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey

log = logging.getLogger(__name__)

JOBS: dict[str, Job] = {}


@dataclass(frozen=True)
class Job:
    """A function the queue runs; retried `retries` times, `retry_delay` seconds, doubling each time."""

    func: Callable
    retries: int
    retry_delay: int
    schedule: Callable | None = None  # periodic jobs: huey's crontab(...) validator

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"

    def __call__(self, *args):
        """Run the job now, in the caller's context (the worker calls this too)."""
        return self.func(*args)

    def enqueue(self, *args, delay: float | None = None) -> None:
        """Queue the job for the worker; with `delay` (seconds), not before then (tests' immediate queue: now)."""
        huey = queue()
        task = huey._franko_tasks[self.name]
        if delay and not huey.immediate:
            task.schedule(args=args, delay=delay)
        else:
            task(*args)


def job(retries: int = 5, retry_delay: int = 10) -> Callable[[Callable], Job]:
    """Mark a function as a job (retries with backoff: 10 s, 20 s, 40 s, … by default)."""
    def register(func: Callable) -> Job:
        found = Job(func, retries, retry_delay)
        JOBS[found.name] = found
        return found
    return register


def periodic(schedule: Callable) -> Callable[[Callable], Job]:
    """Mark a function as a job the worker runs on a schedule, e.g. `periodic(crontab(minute="0"))`."""
    def register(func: Callable) -> Job:
        found = Job(func, 0, 0, schedule)
        JOBS[found.name] = found
        return found
    return register


def queue(app: Flask | None = None) -> Huey:
    """The app's Huey instance."""
    return (app or current_app).extensions["franko_queue"]


def build_huey(app: Flask) -> Huey:
    """Redis when REDIS_URL is set; else a SQLite file in the instance folder; tests may run jobs at once."""
    config = app.config
    if config.get("FRANKO_QUEUE_DISCARD"):  # bench/completion.py's baseline only: every job is dropped
        return BlackHoleHuey("franko", utc=True)
    if config.get("FRANKO_QUEUE_IMMEDIATE"):
        return MemoryHuey("franko", immediate=True, utc=True)
    if config.get("REDIS_URL"):
        return RedisHuey(config["FRANKO_QUEUE_NAME"], url=config["REDIS_URL"], utc=True)
    path = config.get("FRANKO_QUEUE_FILE")
    if not path:
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "jobs.sqlite")
    return SqliteHuey(config["FRANKO_QUEUE_NAME"], filename=path, utc=True)


def init_app(app: Flask) -> None:
    """Give the app its queue and register every job on it, each run in an app context of its own."""
    import franko.insights.jobs  # noqa: F401 — importing a feature's jobs module registers its jobs
    import franko.interview.jobs  # noqa: F401
    import franko.mail.jobs  # noqa: F401
    import franko.notifications.jobs  # noqa: F401
    import franko.webhooks.jobs  # noqa: F401

    huey = build_huey(app)
    huey._franko_tasks = {}
    for found in JOBS.values():
        runner = _runner(app, found)
        if found.schedule is not None:
            task = huey.periodic_task(found.schedule, name=found.name)(runner)
        else:
            task = huey.task(retries=found.retries, retry_delay=found.retry_delay, retry_backoff=2,
                             name=found.name)(runner)
        huey._franko_tasks[found.name] = task
    app.extensions["franko_queue"] = huey


def _runner(app: Flask, found: Job) -> Callable:
    def run(*args):
        from franko.extensions import db

        with app.app_context():
            try:
                return found.func(*args)
            except Exception:
                log.exception("job %s%r failed (it will be retried while it has retries left)", found.name, args)
                db.session.rollback()
                raise
            finally:
                db.session.remove()
    run.__name__ = found.func.__name__
    return run


def run_pending(app: Flask | None = None, *, scheduled: bool = True) -> int:
    """Run every queued job now, in this process (and, with `scheduled`, those waiting for a retry); returns how many.

    For tests and `flask franko run-jobs`: the same tasks the worker would run, one after another.
    """
    huey = queue(app)
    count = 0
    while True:
        due = huey.read_schedule(datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=3650)) \
            if scheduled else []
        queued = huey.dequeue()
        if queued is None and not due:
            return count
        for task in due + ([queued] if queued is not None else []):
            task.eta = None  # now, not at its retry time (huey would put it back in the schedule)
            huey.execute(task)
            count += 1
