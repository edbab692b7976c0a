"""The notification jobs: one email per completed response, the daily digest, the quota warnings."""
from datetime import datetime

from franko.extensions import db
from franko.jobs import job, periodic
from franko.jobs.schedule import crontab
from franko.clock import utcnow
from franko.notifications import services


@job()
def response_completed(response_id: str) -> None:
    """Email the owner about one completed response, when they asked for that (once: a claim, then notified_at)."""
    services.notify_response(response_id)


@job()
def check_quota(user_id: str) -> None:
    """Email the owner once at 80% and once at 100% of the period's allowance."""
    services.check_quota(user_id)


@job()
def send_digest(user_id: str, due_at: str) -> None:
    """One owner's digest for the run at `due_at` (ISO, UTC): a retry covers the same window."""
    services.send_digest(user_id, datetime.fromisoformat(due_at))


@periodic(crontab(minute="0"))
def send_digests() -> None:
    """Hourly: queue the digest of every owner whose digest time has passed today (each one retried on its own)."""
    queue_digests(utcnow())


def queue_digests(now: datetime) -> int:
    """Queue one `send_digest` job per owner due at `now`; returns how many."""
    due = services.due_digests(now)
    db.session.rollback()  # end the read: SQLite lets one writer in
    for user_id in due:
        send_digest.enqueue(user_id, now.isoformat(), key=f"digest:{user_id}:{now:%Y-%m-%dT%H:%M}")
    db.session.commit()
    return len(due)
