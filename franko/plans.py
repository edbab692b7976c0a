"""Accounting: the plans and every rule that moves an account's counters.

Views, the CLI, the Stripe webhook and the interview all call these functions; none of them
repeats a rule. Each rule that changes a stored account is one conditional UPDATE, so concurrent
requests can never take a balance below zero or past a cap, and a rule that has nothing to do
changes nothing (and says so).

How the rules combine, for a period's balance (`total_responses_available`):
- a new period (invoice paid, the monthly reset) sets it to the plan's quota and forgets grants;
- a grant adds to it;
- a plan change moves it by the difference between the new and the old quota, so what was used
  stays used and what was granted stays granted (never below 0);
- a charge takes one from it.
The period's allowance is therefore `used this period + available`: the usage bar is drawn
against it, so the bar and the numbers always agree.

`quota_notice_level` remembers the highest quota email (80, 100) sent this period, so each goes
out once: a new period sets it to 0 in the same UPDATE, and a grant or a plan change that brings
usage below it lowers it (silently), so the warning can fire again later in the period.
"""
import calendar
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from franko.clock import utcnow
from franko.extensions import db
from franko.models import Profile
from franko.plan_names import DEFAULT_PLANS, PLAN_NAMES, PlanName  # noqa: F401 — the plans' names, re-exported


@dataclass(frozen=True)
class Plan:
    name: PlanName
    responses: int  # monthly response quota
    instances: int  # cap on chat instances
    price: str | None  # Stripe price id, None where the plan is not sold

    @property
    def label(self) -> str:
        return self.name.value.capitalize()


def get_plan(name: str) -> Plan:
    """The configured plan called `name` (ValueError for an unknown one)."""
    name = PlanName(name)
    cfg = current_app.config["FRANKO_PLANS"][name.value]
    return Plan(name, int(cfg["responses"]), int(cfg["instances"]), cfg.get("price"))


def all_plans() -> list[Plan]:
    return [get_plan(name) for name in PlanName]


def plan_for_price(price_id: str | None) -> Plan | None:
    """The plan sold at a Stripe price id, or None."""
    return next((plan for plan in all_plans() if price_id and plan.price == price_id), None)


# --- the numbers an owner and an admin see ------------------------------------------------------

@dataclass(frozen=True)
class Usage:
    """An account's period, as numbers that agree with each other."""

    used: int  # charged this period
    available: int  # still collectable this period
    quota: int  # the plan's allowance
    period_end: datetime  # when the next period starts (UTC)

    @property
    def allowance(self) -> int:
        """What this period allows in all: used + available (the quota, plus grants, minus nothing)."""
        return self.used + self.available

    @property
    def granted(self) -> int:
        """Responses beyond the plan's quota this period (grants); 0 when none."""
        return max(self.allowance - self.quota, 0)

    @property
    def percent(self) -> int:
        """How full the period is, 0–100, against the allowance."""
        if self.allowance <= 0:
            return 100 if self.used else 0
        return min(100, round(100 * self.used / self.allowance))

    @property
    def level(self) -> str:
        """'full' at 100%, 'high' from 80%, else 'ok': the bar's colour."""
        return "full" if self.percent >= 100 else "high" if self.percent >= 80 else "ok"

    @property
    def notice_level(self) -> int:
        """The quota email this usage calls for: 100 when nothing is left, 80 from 80%, else 0."""
        if self.available <= 0 and (self.quota > 0 or self.used > 0):
            return 100
        return 80 if self.percent >= 80 else 0

    def forecast(self, now: datetime) -> int:
        """Responses by the period's end at this period's pace so far (the period taken as a month)."""
        start = months_before(self.period_end, 1)
        elapsed = (now - start).total_seconds()
        length = (self.period_end - start).total_seconds()
        if elapsed <= 0 or length <= 0:
            return self.used
        return round(self.used * length / min(elapsed, length))


def usage(profile, now: datetime | None = None) -> Usage:
    return Usage(profile.total_responses_used_this_month or 0, profile.total_responses_available or 0,
                 profile.monthly_responses_quota or 0, period_end(profile, now or utcnow()))


def period_end(profile, now: datetime) -> datetime:
    """When the account's period ends: Stripe's date for a paid one, else the next monthly reset (the 1st)."""
    ends = getattr(profile, "period_ends_at", None)  # a usage row of the admin table has none
    if ends and ends > now:
        return ends
    return first_of_next_month(now)


def first_of_next_month(moment: datetime) -> datetime:
    return (moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)).replace(day=1)


def months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


# --- the rules ----------------------------------------------------------------------------------

class Change(enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # the account already was on that plan, with that quota and cap
    NO_ACCOUNT = "no account"


def _profiles():
    return Profile.__table__


def _execute(stmt):
    return db.session.execute(stmt)


def _now():
    return utcnow()


def start_on_plan(profile, name: str) -> None:
    """A new (not yet stored) account: on plan `name`, a fresh period, nothing used."""
    plan = get_plan(name)
    profile.membership = plan.name.value
    profile.monthly_responses_quota = plan.responses
    profile.total_chat_instances_available = plan.instances
    profile.total_responses_available = plan.responses
    profile.total_responses_used_this_month = 0
    profile.total_responses_used = 0
    profile.total_chat_instances_used = 0


def change_plan(user_id: str, name: str, *, new_period: bool = False) -> Change:
    """Put the account on plan `name`; the balance moves by the difference of the quotas (grants survive).

    With `new_period`, also start a new period. Nothing changes (UNCHANGED) when the account is
    already on that plan with its quota and cap and no new period is asked for.
    """
    plan = get_plan(name)
    p = _profiles().c
    moved = p.total_responses_available + plan.responses - p.monthly_responses_quota
    values = {
        "membership": plan.name.value,
        "monthly_responses_quota": plan.responses,
        "total_chat_instances_available": plan.instances,
        "total_responses_available": plan.responses if new_period else sa.case((moved > 0, moved), else_=0),
        "updated_at": _now(),
    }
    if new_period:
        values["total_responses_used_this_month"] = 0
        values["quota_notice_level"] = 0
    different = sa.or_(p.membership != plan.name.value, p.monthly_responses_quota != plan.responses,
                       p.total_chat_instances_available != plan.instances)
    changed = _execute(sa.update(_profiles()).where(p.user_id == user_id, sa.true() if new_period else different)
                       .values(**values).returning(*_usage_columns())).first()
    if changed is not None:
        _lower_notice_level(user_id, changed)
        return Change.CHANGED
    exists = _execute(sa.select(p.user_id).where(p.user_id == user_id)).first()
    return Change.UNCHANGED if exists else Change.NO_ACCOUNT


def start_new_period(where, period_ends_at: datetime | None = None) -> int:
    """A new period for the accounts `where` selects: nothing used, the whole quota available; returns how many."""
    p = _profiles().c
    return _execute(sa.update(_profiles()).where(where).values(
        total_responses_used_this_month=0, total_responses_available=p.monthly_responses_quota,
        quota_notice_level=0, period_ends_at=period_ends_at, updated_at=_now(),
    )).rowcount


def grant(user_id: str, amount: int) -> int | None:
    """Add `amount` responses to this period's balance; returns the new balance (None: no such account)."""
    p = _profiles().c
    after = _execute(
        sa.update(_profiles()).where(p.user_id == user_id)
        .values(total_responses_available=p.total_responses_available + amount, updated_at=_now())
        .returning(*_usage_columns())
    ).first()
    if after is None:
        return None
    _lower_notice_level(user_id, after)
    return after.total_responses_available


def _usage_columns():
    """What a rule returns from its UPDATE to settle the quota notice level with the new numbers."""
    p = _profiles().c
    return p.total_responses_used_this_month, p.total_responses_available, p.monthly_responses_quota, \
        p.quota_notice_level


def _lower_notice_level(user_id: str, row) -> None:
    """After a grant or a plan change: a quota email already sent above the new usage may go out again."""
    level = Usage(row.total_responses_used_this_month, row.total_responses_available, row.monthly_responses_quota,
                  datetime.max).notice_level
    if level < row.quota_notice_level:
        lower_notice_level(user_id, level)


def lower_notice_level(user_id: str, level: int) -> bool:
    """Lower the stored quota notice level to `level` (never raise it); True when it was higher."""
    p = _profiles().c
    return _execute(sa.update(_profiles()).where(p.user_id == user_id, p.quota_notice_level > level)
                    .values(quota_notice_level=level)).rowcount == 1


def charge_response(user_id: str, response=None) -> bool:
    """Take one response from the owner's balance; False when none is left.

    `response` (the ChatResponse being answered) is marked charged, written with its own update.
    """
    p = _profiles().c
    now = _now()
    result = _execute(
        sa.update(_profiles())
        .where(p.user_id == user_id, p.total_responses_available > 0)
        .values(
            total_responses_available=p.total_responses_available - 1,
            total_responses_used=p.total_responses_used + 1,
            total_responses_used_this_month=p.total_responses_used_this_month + 1,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        return False
    if response is not None:
        response.charged_at = now
    return True


def take_instance_slot(user_id: str) -> bool:
    """Count one more chat instance if the owner is under the cap; False at the cap."""
    p = _profiles().c
    result = _execute(
        sa.update(_profiles())
        .where(p.user_id == user_id, p.total_chat_instances_used < p.total_chat_instances_available)
        .values(total_chat_instances_used=p.total_chat_instances_used + 1, updated_at=_now())
    )
    return result.rowcount == 1


def release_instance_slot(user_id: str) -> None:
    """Give back the slot of a deleted chat instance (never below zero)."""
    p = _profiles().c
    _execute(
        sa.update(_profiles())
        .where(p.user_id == user_id, p.total_chat_instances_used > 0)
        .values(total_chat_instances_used=p.total_chat_instances_used - 1, updated_at=_now())
    )


def charge_explanation(response) -> tuple[bool, str]:
    """Whether a response was charged, and why (or why not), in the owner's words."""
    if response.charged_at is not None:
        return True, "Charged: the interviewee gave a first answer."
    if response.status == "in_progress":
        return False, "Not charged yet: a response is charged at the interviewee's first answer."
    return False, "Not charged: no answer was taken (the interviewee left first, or no credit was left)."
