"""`flask franko worker`'s loop: lease due jobs, run them on threads, renew their leases, stop gracefully.

SIGTERM and SIGINT: take no new job, let the running ones finish within FRANKO_WORKER_GRACE
seconds (leases still renewed), then hand any unfinished one back to the queue, due at once.
A second signal changes nothing (the grace already bounds the stop; SIGKILL is the hurry).
A killed worker's jobs are not handed back: their leases expire (FRANKO_JOB_LEASE) and any
worker runs them again.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime

from flask import Flask

from franko.extensions import db
from franko.jobs import store
from franko.jobs.queue import queue
from franko.clock import utcnow

log = logging.getLogger("franko.jobs")


class Worker:
    """One worker process: `threads` jobs at a time, polling the table every `poll` seconds when idle."""

    def __init__(self, app: Flask, threads: int):
        config = app.config
        self.app = app
        self.threads = threads
        self.grace = float(config["FRANKO_WORKER_GRACE"])
        self.poll = float(config["FRANKO_WORKER_POLL"])
        self.beat = float(config["FRANKO_JOB_LEASE"]) / 3
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        self.signal_name: str | None = None
        self.running: dict[Future, store.Claimed] = {}
        self.last_beat = 0.0
        self.last_minute: datetime | None = None

    def _on_signal(self, number, frame) -> None:
        name = signal.Signals(number).name
        if self.stopping.is_set():
            log.info("worker %s: %s while stopping: still waiting (at most the grace of %g s)", self.id, name,
                     self.grace)
            return
        self.signal_name = name
        self.stopping.set()

    def run(self) -> int:
        """Work until SIGTERM or SIGINT; returns the exit status (0)."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)  # also when a shell started us with SIGINT ignored (make run)
        log.info("worker %s: %d thread(s) on %s, lease %g s, grace %g s", self.id, self.threads,
                 self.app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0], self.beat * 3, self.grace)
        pool = ThreadPoolExecutor(self.threads, thread_name_prefix="franko-job")
        while not self.stopping.is_set():
            self._tick()
            free = self.threads - len(self.running)
            batch = self._with_db(lambda: store.claim(self.id, free)) if free else []
            for row in batch or []:
                log.info("%s: started (attempt %d of %d)", row.describe(), row.attempts, row.max_attempts)
                self.running[pool.submit(store.run_claimed, self.app, row, self.id)] = row
            if not batch or len(self.running) >= self.threads:
                self._wait(self.poll)
        return self._stop(pool)

    def _tick(self) -> None:
        """Reap finished jobs, renew leases when due, queue the periodic jobs of a new minute."""
        self._reap()
        if time.monotonic() - self.last_beat >= self.beat:
            self.last_beat = time.monotonic()
            self._with_db(lambda: store.renew(self.id))
        minute = utcnow().replace(second=0, microsecond=0)
        if minute != self.last_minute:
            self.last_minute = minute
            self._with_db(lambda: queue_periodic(minute))

    def _reap(self) -> None:
        for future in [f for f in self.running if f.done()]:
            row = self.running.pop(future)
            outcome = future.exception() or future.result()
            log.info("%s: %s", row.describe(), outcome)

    def _wait(self, seconds: float) -> None:
        if self.running:
            wait(list(self.running), timeout=seconds, return_when=FIRST_COMPLETED)
        else:
            self.stopping.wait(seconds)

    def _with_db(self, work):
        """Run `work` in an app context; a database that is down is logged and tried again on the next turn."""
        with self.app.app_context():
            try:
                return work()
            except Exception:  # noqa: BLE001
                log.exception("worker %s: the database failed; trying again", self.id)
                db.session.rollback()
                time.sleep(self.poll)
                return None
            finally:
                db.session.remove()

    def _stop(self, pool: ThreadPoolExecutor) -> int:
        log.info("worker %s: %s: taking no new job; %d running, given up to %g s to finish", self.id,
                 self.signal_name, len(self.running), self.grace)
        deadline = time.monotonic() + self.grace
        while self.running and time.monotonic() < deadline:
            self._tick()
            wait(list(self.running), timeout=min(self.beat, max(0.0, deadline - time.monotonic())),
                 return_when=FIRST_COMPLETED)
        self._reap()
        if not self.running:
            pool.shutdown(wait=True)
            log.info("worker %s: stopped on %s; every running job finished", self.id, self.signal_name)
            return 0
        handed = self._with_db(lambda: store.hand_back(self.id))
        names = ", ".join(row.describe() for row in self.running.values())
        log.warning("worker %s: stopped on %s after %g s; %s job(s) unfinished, handed back to the queue: %s",
                    self.id, self.signal_name, self.grace, handed, names)
        for handler in logging.getLogger("franko").handlers:
            handler.flush()
        sys.stderr.flush()
        os._exit(0)  # the unfinished jobs' threads cannot be stopped; their rows are back in the queue


def queue_periodic(minute: datetime) -> int:
    """Queue each periodic job due at `minute`, once for every worker (its key names the minute); commits."""
    count = 0
    for found in queue().values():
        if found.schedule is not None and found.schedule(minute):
            found.enqueue(key=f"{found.name}@{minute:%Y-%m-%dT%H:%M}")
            count += 1
    db.session.commit()
    return count
