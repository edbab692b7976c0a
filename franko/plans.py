"""The plans and the rules that move an account's counters: quotas, charging, instance slots.

Views, the CLI, the Stripe webhook and the interview all call these functions; none of them
repeats the rules. Every counter change is one conditional UPDATE, so concurrent requests can
never take a balance below zero or past a cap.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

DEFAULT_PLANS = {
    "free": {"responses": 10, "instances": 1},
    "starter": {"responses": 100, "instances": 5},
    "pro": {"responses": 1000, "instances": 50},
}
PLAN_NAMES = ("free", "starter", "pro")


@dataclass(frozen=True)
class Plan:
    name: str
    responses: int  # monthly response quota
    instances: int  # cap on chat instances
    price: str | None  # Stripe price id, None where the plan is not sold


def get_plan(name: str) -> Plan:
    """The configured plan called `name` (KeyError for an unknown one)."""
    cfg = current_app.config["FRANKO_PLANS"][name]
    return Plan(name, int(cfg["responses"]), int(cfg["instances"]), cfg.get("price"))


def plan_for_price(price_id: str | None) -> Plan | None:
    """The plan sold at a Stripe price id, or None."""
    for name in PLAN_NAMES:
        plan = get_plan(name)
        if price_id and plan.price == price_id:
            return plan
    return None


def apply_plan(profile, name: str, *, new_period: bool = False) -> None:
    """Put `profile` on plan `name`: membership, quota and cap; the balance follows the quota.

    A change of plan mid-period keeps what was used: available = quota - used this month.
    A new period (invoice paid, monthly reset) starts again at the full quota.
    """
    plan = get_plan(name)
    profile.membership = plan.name
    profile.monthly_responses_quota = plan.responses
    profile.total_chat_instances_available = plan.instances
    if new_period:
        profile.total_responses_used_this_month = 0
        profile.total_responses_available = plan.responses
    else:
        used = profile.total_responses_used_this_month or 0
        profile.total_responses_available = max(plan.responses - used, 0)


def start_new_period(profile) -> None:
    """A new billing period: nothing used this month, the whole quota available."""
    profile.total_responses_used_this_month = 0
    profile.total_responses_available = profile.monthly_responses_quota or 0


def charge_response(user_id: str) -> bool:
    """Take one response from the owner's balance; False (and nothing changed) when none is left."""
    from franko.extensions import db
    from franko.models import Profile, utcnow

    p = Profile.__table__.c
    result = db.session.execute(
        sa.update(Profile.__table__)
        .where(p.user_id == user_id, p.total_responses_available > 0)
        .values(
            total_responses_available=p.total_responses_available - 1,
            total_responses_used=sa.func.coalesce(p.total_responses_used, 0) + 1,
            total_responses_used_this_month=sa.func.coalesce(p.total_responses_used_this_month, 0) + 1,
            updated_at=utcnow(),
        )
    )
    return result.rowcount == 1


def take_instance_slot(user_id: str) -> bool:
    """Count one more chat instance if the owner is under the cap; False at the cap."""
    from franko.extensions import db
    from franko.models import Profile, utcnow

    p = Profile.__table__.c
    result = db.session.execute(
        sa.update(Profile.__table__)
        .where(
            p.user_id == user_id,
            sa.func.coalesce(p.total_chat_instances_used, 0)
            < sa.func.coalesce(p.total_chat_instances_available, 0),
        )
        .values(
            total_chat_instances_used=sa.func.coalesce(p.total_chat_instances_used, 0) + 1,
            updated_at=utcnow(),
        )
    )
    return result.rowcount == 1


def release_instance_slot(user_id: str) -> None:
    """Give back the slot of a deleted chat instance (never below zero)."""
    from franko.extensions import db
    from franko.models import Profile, utcnow

    p = Profile.__table__.c
    db.session.execute(
        sa.update(Profile.__table__)
        .where(p.user_id == user_id, p.total_chat_instances_used > 0)
        .values(total_chat_instances_used=p.total_chat_instances_used - 1, updated_at=utcnow())
    )
