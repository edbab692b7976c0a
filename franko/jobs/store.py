"""The jobs table as a queue: claim due rows under a lease, record how each run ended, renew and hand back leases.

Claiming is one UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING: on PostgreSQL
several workers on several machines each get other rows; on SQLite (one writer at a time) the
statement is atomic anyway. Every later write names the lease (worker id and attempt), so a
worker whose lease expired and was taken over changes nothing.
"""
from __future__ import annotations

import contextvars
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from franko import metrics
from franko.clock import utcnow
from franko.extensions import db
from franko.jobs.models import FAILED, RUNNING, WAITING, JobClaim, QueuedJob
from franko.jobs.queue import HOLDER, INLINE_HOLDER, RetryLater, queue

log = logging.getLogger("franko.jobs")
jobs = QueuedJob.__table__
claims = JobClaim.__table__
ERROR_MAX_LENGTH = 2000
CURRENT: contextvars.ContextVar[tuple[Claimed, str]] = contextvars.ContextVar("franko_current_job")


@dataclass(frozen=True)
class Claimed:
    """One leased row: what to run and the lease it runs under."""

    id: int
    name: str
    args: list
    attempts: int
    max_attempts: int
    retry_delay: int
    created_at: datetime  # with the id, names this job even if SQLite reuses a deleted job's id

    def describe(self) -> str:
        return f"job {self.id} {self.name.rsplit('.', 1)[-1]}{tuple(self.args)!r}"


def lease_seconds() -> float:
    return float(current_app.config["FRANKO_JOB_LEASE"])


def _due(now: datetime, any_time: bool):
    waiting = jobs.c.status == WAITING if any_time else sa.and_(jobs.c.status == WAITING, jobs.c.run_at <= now)
    return sa.or_(waiting, sa.and_(jobs.c.status == RUNNING, jobs.c.lease_until < now))


def claim(holder: str, limit: int, *, ids: list[int] | None = None, any_time: bool = False) -> list[Claimed]:
    """Lease up to `limit` due jobs (a lost worker's expired ones included) to `holder`; commits."""
    now = utcnow()
    due = _due(now, any_time)
    if ids is not None:
        due = sa.and_(due, jobs.c.id.in_(ids))
    found = db.session.execute(sa.select(jobs.c.id).where(due).limit(1)).first()  # a read: no write lock when idle
    db.session.rollback()
    if found is None:
        return []
    pick = (sa.select(jobs.c.id).where(due).order_by(jobs.c.run_at, jobs.c.id).limit(limit)
            .with_for_update(skip_locked=True))
    rows = db.session.execute(
        sa.update(jobs).where(jobs.c.id.in_(pick.scalar_subquery()))
        .values(status=RUNNING, leased_by=holder, lease_until=now + timedelta(seconds=lease_seconds()),
                attempts=jobs.c.attempts + 1)
        .returning(jobs.c.id, jobs.c.name, jobs.c.args, jobs.c.attempts, jobs.c.max_attempts, jobs.c.retry_delay,
                   jobs.c.created_at)
    ).all()
    db.session.commit()
    return sorted((Claimed(r.id, r.name, json.loads(r.args), r.attempts, r.max_attempts, r.retry_delay, r.created_at)
                   for r in rows), key=lambda c: c.id)


def _mine(row: Claimed, holder: str):
    return sa.and_(jobs.c.id == row.id, jobs.c.created_at == row.created_at, jobs.c.leased_by == holder,
                   jobs.c.attempts == row.attempts, jobs.c.status == RUNNING)


def _finish(row: Claimed, holder: str) -> None:
    """The job ran: its row goes, in one commit with whatever the job left uncommitted."""
    db.session.execute(sa.delete(jobs).where(_mine(row, holder)))
    db.session.commit()


def _retry_or_fail(row: Claimed, holder: str, error: str, later: float | None = None) -> str:
    """Put the job back (after its backoff, or `later` seconds uncounted) or mark it failed; returns which."""
    now = utcnow()
    if later is not None:
        values = dict(status=WAITING, run_at=now + timedelta(seconds=later), attempts=jobs.c.attempts - 1)
        outcome = "retry"
    elif row.attempts >= row.max_attempts:
        values = dict(status=FAILED, key=None)  # a failed job holds no key: a new one may be queued
        outcome = "failed"
    else:
        values = dict(status=WAITING, run_at=now + timedelta(seconds=row.retry_delay * 2 ** (row.attempts - 1)))
        outcome = "retry"
    db.session.execute(sa.update(jobs).where(_mine(row, holder))
                       .values(lease_until=None, leased_by=None, last_error=error[:ERROR_MAX_LENGTH], **values))
    db.session.commit()
    if outcome == "failed":
        metrics.count_job_failed(row.name)
    return outcome


def done_now() -> None:
    """The running job's effect has just happened (a mail server's 250): remove its row at once, not after tidying up."""
    current = CURRENT.get(None)
    if current is not None:
        _finish(*current)


def run_claimed(app: Flask, row: Claimed, holder: str) -> str:
    """Run one leased job in an app context of its own; returns "done", "retry" or "failed"."""
    with app.app_context():
        token, current = HOLDER.set(holder), CURRENT.set((row, holder))
        try:
            found = queue(app).get(row.name)
            if found is None:
                return _retry_or_fail(row, holder, f"No job is called {row.name}.")
            if row.attempts > row.max_attempts:  # its workers were lost each time (killed, out of memory)
                return _retry_or_fail(row, holder, f"Stopped: its worker was lost on each of {row.max_attempts} runs.")
            found.func(*row.args)
            _finish(row, holder)
            return "done"
        except RetryLater as later:
            db.session.rollback()
            return _retry_or_fail(row, holder, str(later), later=later.seconds)
        except Exception as exc:  # noqa: BLE001 — recorded on the row, retried or failed
            log.exception("%s failed (attempt %d of %d)", row.describe(), row.attempts, row.max_attempts)
            db.session.rollback()
            return _retry_or_fail(row, holder, f"{type(exc).__name__}: {exc}")
        finally:
            HOLDER.reset(token)
            CURRENT.reset(current)
            db.session.remove()


def run_pending(app: Flask | None = None) -> int:
    """Run every queued job now, in this process, retries included whatever their time; returns how many runs.

    For tests and `flask franko run-jobs`: the same runs the worker would make, one after another.
    """
    app = app or current_app._get_current_object()
    count = 0
    while run_once(app):
        count += 1
    return count


def run_once(app: Flask, ids: list[int] | None = None) -> bool:
    """Claim one queued job (of `ids`, if given), whatever its time, and run it here; False when there is none."""
    with app.app_context():
        try:
            batch = claim(INLINE_HOLDER, 1, ids=ids, any_time=True)
        finally:
            db.session.remove()
    if batch:
        run_claimed(app, batch[0], INLINE_HOLDER)
    return bool(batch)


def renew(holder: str) -> int:
    """Extend the leases of every job and claim `holder` runs (the worker's heartbeat); commits; returns the jobs'."""
    until = utcnow() + timedelta(seconds=lease_seconds())
    count = db.session.execute(sa.update(jobs).where(jobs.c.leased_by == holder, jobs.c.status == RUNNING)
                               .values(lease_until=until)).rowcount
    db.session.execute(sa.update(claims).where(claims.c.holder == holder).values(lease_until=until))
    db.session.commit()
    return count


def hand_back(holder: str) -> int:
    """Return every job `holder` still runs to the queue, due now and uncounted, and drop its claims; commits."""
    count = db.session.execute(
        sa.update(jobs).where(jobs.c.leased_by == holder, jobs.c.status == RUNNING)
        .values(status=WAITING, run_at=utcnow(), lease_until=None, leased_by=None, attempts=jobs.c.attempts - 1)
    ).rowcount
    db.session.execute(sa.delete(claims).where(claims.c.holder == holder))
    db.session.commit()
    return count


# --- tests: a job queued with FRANKO_QUEUE_IMMEDIATE runs when its transaction commits ----------

@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """The jobs written by this transaction are queued now; they run once its connection is back in the pool."""
    ids = session.info.pop("franko_immediate", None)
    if ids:
        session.info.setdefault("franko_run", []).extend(ids)


@event.listens_for(Session, "after_transaction_end")
def _run_immediate(session: Session, transaction) -> None:
    if transaction.parent is not None or not session.info.get("franko_run"):
        return
    ids = session.info.pop("franko_run")
    app = current_app._get_current_object()
    for job_id in ids:  # each once, in an app context (and a session) of its own; a failure waits for its retry
        try:
            run_once(app, [job_id])
        except Exception:  # noqa: BLE001 — the job's failure is recorded on its row
            log.exception("job %s run at once failed", job_id)


@event.listens_for(Session, "after_rollback")
def _forget_immediate(session: Session) -> None:
    session.info.pop("franko_immediate", None)
