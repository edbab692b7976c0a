"""The clock: one `utcnow` for models, the queue and the rules, so none of them imports another for the time."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now in UTC, naive: the database columns are `timestamp` (without time zone), kept in UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
