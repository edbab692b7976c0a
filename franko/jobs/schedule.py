"""`crontab(minute=…, hour=…)`: when a periodic job is due, as cron writes it ("*", "*/15", "0", "8-18", "0,30")."""
from collections.abc import Callable
from datetime import datetime


def _field(spec: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, every = part.split("/")
            step = int(every)
        if part == "*":
            first, last = low, high
        elif "-" in part:
            first, last = (int(x) for x in part.split("-"))
        else:
            first = last = int(part)
        if not low <= first <= last <= high or step < 1:
            raise ValueError(f"{spec!r} is not a cron field between {low} and {high}")
        values.update(range(first, last + 1, step))
    return values


def crontab(minute: str = "*", hour: str = "*") -> Callable[[datetime], bool]:
    """A test of a minute (UTC): e.g. crontab(minute="0") is every hour on the hour, crontab() every minute."""
    minutes, hours = _field(minute, 0, 59), _field(hour, 0, 23)
    return lambda at: at.minute in minutes and at.hour in hours
