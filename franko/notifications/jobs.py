"""The notification jobs: one email per completed response, the daily digest, the quota warnings."""
from franko.jobs import job


@job()
def response_completed(response_id: str) -> None:
    """Email the owner about one completed response, when they asked for that (claimed once: notified_at)."""
    # TODO(issue 12)


@job()
def check_quota(user_id: str) -> None:
    """Email the owner once at 80% and once at 100% of the period's allowance."""
    # TODO(issue 12)
