"""The admin's queries and actions: the usage table, its CSV, credits and plan changes."""
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from franko.database import escape_like
from franko.extensions import db
from franko import audit, plans
from franko.models import ChatInstance, ChatResponse, Profile
from franko.plans import PLAN_NAMES

P = Profile.__table__.c
# What a usage row shows; all of it lives on `profiles`, so a page is one indexed query.
USAGE_COLUMNS = (
    P.user_id, P.email, P.organisation_name, P.membership,
    P.total_responses_used_this_month, P.monthly_responses_quota, P.total_responses_available,
    P.total_responses_used, P.total_chat_instances_used, P.total_chat_instances_available, P.created_at,
)


def _zero(column):
    return sa.func.coalesce(column, 0)


# The only orderings the table accepts (user input never reaches ORDER BY). The default, email,
# is read straight off the unique index on lower(email).
SORT_KEYS: dict[str, Any] = {
    "email": sa.func.lower(P.email),
    "org": sa.func.lower(P.organisation_name),
    # Enum order (free < starter < pro), the same on SQLite, where the enum is plain text.
    "plan": sa.case(*((P.membership == name, rank) for rank, name in enumerate(PLAN_NAMES)), else_=len(PLAN_NAMES)),
    "used": _zero(P.total_responses_used_this_month),
    "quota": _zero(P.monthly_responses_quota),
    "available": _zero(P.total_responses_available),
    "lifetime": _zero(P.total_responses_used),
    "instances": _zero(P.total_chat_instances_used),
    "created": P.created_at,
}
DEFAULT_SORT = "email"
SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class UsageQuery:
    """What the admin asked the table for; every value already checked."""

    search: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False

    @classmethod
    def from_args(cls, args) -> "UsageQuery":
        sort = args.get("sort", DEFAULT_SORT)
        return cls(
            search=(args.get("q") or "").strip()[:SEARCH_MAX_LENGTH],
            sort=sort if sort in SORT_KEYS else DEFAULT_SORT,
            descending=args.get("dir") == "desc",
        )

    def where(self) -> sa.ColumnElement[bool]:
        """Email or organisation name contains the search text, case-insensitively; or the exact user id."""
        if not self.search:
            return sa.true()
        pattern = "%" + escape_like(self.search.lower()) + "%"
        return sa.or_(
            sa.func.lower(P.email).like(pattern, escape="\\"),
            sa.func.lower(P.organisation_name).like(pattern, escape="\\"),
            P.user_id == self.search,
        )

    def order_by(self) -> list:
        key = SORT_KEYS[self.sort]
        ordered = key.desc() if self.descending else key.asc()
        return [ordered.nulls_last(), P.user_id]  # user_id: a stable order across pages

    def args(self, **changes) -> dict:
        """Query-string arguments of this view, with `changes` (for links)."""
        values = {"q": self.search or None, "sort": self.sort if self.sort != DEFAULT_SORT else None,
                  "dir": "desc" if self.descending else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.per_page, self.total)


def usage_page(query: UsageQuery, number: int, per_page: int) -> Page:
    """One page of the usage table: a LIMIT/OFFSET select and, unless the page tells it, a COUNT.

    A short page (a search, the last page) gives the total itself, sparing a second scan.
    """
    number = max(number, 1)
    rows = _usage_rows(query, number, per_page)
    if rows and len(rows) < per_page or not rows and number == 1:
        return Page(rows, number, per_page, (number - 1) * per_page + len(rows))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Profile.__table__).where(query.where()))
    pages = max(1, math.ceil(total / per_page))
    if number > pages:  # past the end: show the last page
        number = pages
        rows = _usage_rows(query, number, per_page)
    return Page(rows, number, per_page, total)


def _usage_rows(query: UsageQuery, number: int, per_page: int) -> list:
    return db.session.execute(
        sa.select(*USAGE_COLUMNS).where(query.where()).order_by(*query.order_by())
        .limit(per_page).offset((number - 1) * per_page)
    ).all()


CSV_HEADER = ("user_id", "email", "organisation", "plan", "responses_this_period", "monthly_quota",
              "available", "lifetime_responses", "instances", "instance_cap", "created_at")


def usage_csv_rows(query: UsageQuery) -> Iterator[tuple]:
    """Every row the table's search matches, in its order, fetched in batches (for the streamed CSV)."""
    yield CSV_HEADER
    result = db.session.execute(
        sa.select(*USAGE_COLUMNS).where(query.where()).order_by(*query.order_by())
        .execution_options(yield_per=500)
    )
    for row in result:
        yield tuple(csv_cell(value) for value in row)


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a leading =, +, -, @, tab or CR would start a formula."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# --- one organisation ---------------------------------------------------------------------------

def organisation_counts(user_id: str) -> dict[str, int]:
    """What the organisation has now, counted (the profile's counters say what it was charged)."""
    instances = db.session.scalar(sa.select(sa.func.count()).where(ChatInstance.user_id == user_id))
    responses = db.session.scalar(sa.select(sa.func.count()).where(ChatResponse.user_id == user_id))
    return {"instances": instances, "responses": responses}


def grant_credits(user_id: str, amount: int, admin: str, actor_id: str | None = None) -> int | None:
    """Add `amount` responses to this period's balance (`plans.grant`); returns the new balance (None: no such profile)."""
    after = plans.grant(user_id, amount)
    if after is not None:
        audit.record("admin.granted", actor_id=actor_id, owner_id=user_id, subject=f"{amount} responses",
                     detail={"credits": amount, "available": after})
        current_app.logger.info("admin %s granted %d credits to %s: available %d -> %d",
                                admin, amount, user_id, after - amount, after)
    return after


PLAN_FIELDS = ("membership", "monthly_responses_quota", "total_chat_instances_available",
               "total_responses_used_this_month", "total_responses_available")


def change_plan(user_id: str, plan: str, new_period: bool, admin: str, actor_id: str | None = None) -> plans.Change:
    """Put the organisation on `plan` (`plans.change_plan`), logged with the numbers before and after (the caller commits)."""
    numbers = sa.select(*(P[f] for f in PLAN_FIELDS)).where(P.user_id == user_id)
    before = db.session.execute(numbers.with_for_update()).first()  # the row held until the commit
    outcome = plans.change_plan(user_id, plan, new_period=new_period)
    if outcome is plans.Change.CHANGED:
        audit.plan_changed(user_id, plan, via="admin", actor_id=actor_id, new_period=new_period)
        after = db.session.execute(numbers).first()
        current_app.logger.info("admin %s changed the plan of %s%s: %s", admin, user_id,
                                " (new period)" if new_period else "",
                                ", ".join(f"{f} {b} -> {a}" for f, b, a in zip(PLAN_FIELDS, before, after)))
    return outcome
