"""Effect claims: a lease on one effect (an email) while it is done, so that two runs of a job never both do it.

`with claimed("notify:<id>"):` takes the claim (committed at once) or raises RetryLater while
another worker holds it; inside, the job checks the effect is still to do, does it, and writes
its final mark (e.g. `notified_at`), which commits together with the claim's removal. If the
block raises (the mail server refused), the claim is dropped and the job's retry does it again;
if the worker dies, the lease expires. Only an effect that happened is ever marked done.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from franko.database import insert_ignoring_duplicates
from franko.extensions import db
from franko.jobs.models import JobClaim
from franko.jobs.queue import RetryLater, holder
from franko.jobs.store import lease_seconds
from franko.clock import utcnow

claims = JobClaim.__table__


def take(key: str) -> bool:
    """Claim `key` for this job's holder until its lease ends (a lapsed claim of a lost worker is taken over); commits."""
    now, me = utcnow(), holder()
    until = now + timedelta(seconds=lease_seconds())
    db.session.rollback()  # a fresh transaction: the claim is its first write
    taken = db.session.execute(insert_ignoring_duplicates(JobClaim, key=key, holder=me, lease_until=until)
                               .returning(claims.c.key)).first()
    if taken is None:
        taken = db.session.execute(sa.update(claims).where(claims.c.key == key, claims.c.lease_until < now)
                                   .values(holder=me, lease_until=until).returning(claims.c.key)).first()
    db.session.commit()
    return taken is not None


def drop(key: str) -> None:
    """Give the claim up (this holder's only); the caller commits."""
    db.session.execute(sa.delete(claims).where(claims.c.key == key, claims.c.holder == holder()))


@contextmanager
def claimed(key: str) -> Iterator[None]:
    """Hold `key` while the block runs; the claim goes with the block's commit, or is dropped if it raises."""
    if not take(key):
        raise RetryLater(max(1.0, lease_seconds() / 3), f"{key} is being done by another worker")
    try:
        yield
    except BaseException:
        db.session.rollback()
        drop(key)
        db.session.commit()
        raise
    drop(key)
    db.session.commit()
