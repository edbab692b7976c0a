"""What admins and operators see of the queue: counts, the oldest waiting job's age, the jobs, retrying a failed one."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from franko.extensions import db
from franko.jobs.models import FAILED, RUNNING, WAITING, QueuedJob
from franko.clock import utcnow

jobs = QueuedJob.__table__
LISTED = 100


@dataclass(frozen=True)
class Summary:
    waiting: int
    running: int
    failed: int
    oldest_age: float | None  # seconds the oldest due job has waited


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    args: str
    state: str
    attempts: int
    max_attempts: int
    run_at: datetime
    created_at: datetime
    last_error: str | None


def _state(status: str, lease_until: datetime | None, now: datetime) -> str:
    """A running job whose lease has expired (its worker was lost) is waiting again."""
    if status == RUNNING and (lease_until is None or lease_until < now):
        return WAITING
    return status


def summary() -> Summary:
    now = utcnow()
    expired = sa.and_(jobs.c.status == RUNNING, jobs.c.lease_until < now)
    counts = db.session.execute(sa.select(
        sa.func.count().filter(sa.or_(jobs.c.status == WAITING, expired)),
        sa.func.count().filter(sa.and_(jobs.c.status == RUNNING, jobs.c.lease_until >= now)),
        sa.func.count().filter(jobs.c.status == FAILED),
        sa.func.min(jobs.c.run_at).filter(sa.and_(sa.or_(jobs.c.status == WAITING, expired), jobs.c.run_at <= now)),
    )).one()
    oldest = counts[3]
    return Summary(counts[0], counts[1], counts[2], (now - oldest).total_seconds() if oldest is not None else None)


def listing(failed_only: bool = False, limit: int = LISTED) -> list[Row]:
    """Failed jobs first (newest first), then the others by due time."""
    now = utcnow()
    query = sa.select(jobs).order_by(sa.case((jobs.c.status == FAILED, 0), else_=1), jobs.c.run_at, jobs.c.id)
    if failed_only:
        query = query.where(jobs.c.status == FAILED)
    return [Row(r.id, r.name, r.args, _state(r.status, r.lease_until, now), r.attempts, r.max_attempts, r.run_at,
                r.created_at, r.last_error) for r in db.session.execute(query.limit(limit))]


def retry(job_id: int) -> bool:
    """Queue a failed job again, now, with its attempts afresh; False when there is no such failed job. The caller commits."""
    return db.session.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.status == FAILED)
                              .values(status=WAITING, run_at=utcnow(), attempts=0)).rowcount == 1
