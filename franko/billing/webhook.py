"""The Stripe webhook's effects: one handler per event type, each event id applied exactly once.

`process_event` records the event in `stripe_events` and applies its effect in the same
transaction, so a retried or concurrent delivery of the same id changes nothing twice.
Plans are changed only through `franko.plans` (change_plan, start_new_period).
"""
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError

from franko import audit
from franko.extensions import db
from franko.models import Profile, StripeEvent
from franko.plans import Change, PlanName, change_plan, plan_for_price, start_new_period

SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
# Subscription statuses after which the customer no longer pays: back to the free plan.
ENDED_STATUSES = frozenset({"canceled", "unpaid", "incomplete_expired"})

Event = dict[str, Any]


class WebhookRefused(Exception):
    """The request is not a genuine, well-formed Stripe event: answer 400, change nothing."""


class RetryLater(Exception):
    """The event cannot be applied yet (its account is not known yet): answer non-2xx, so Stripe retries."""


def verify(payload: bytes, signature: str | None) -> Event:
    """The event in `payload` once its Stripe-Signature is checked against STRIPE_WEBHOOK_SECRET."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise WebhookRefused("STRIPE_WEBHOOK_SECRET is not set")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret).to_dict()
    except (stripe.SignatureVerificationError, ValueError) as error:  # ValueError: not JSON
        raise WebhookRefused(str(error)) from error
    if not (isinstance(event.get("id"), str) and isinstance(event.get("type"), str)
            and isinstance(event.get("data"), dict) and isinstance(event["data"].get("object"), dict)):
        raise WebhookRefused("not a Stripe event")
    return event


def process_event(event: Event) -> str:
    """Apply `event` once; returns what happened, e.g. 'plan starter', 'duplicate', 'unknown customer'."""
    if already_processed(event["id"]):
        return "duplicate"
    obj = event["data"]["object"]
    try:
        db.session.add(StripeEvent(
            id=event["id"], type=event["type"], stripe_customer_id=_id(obj.get("customer")),
            event_created=event.get("created"),
        ))
        # Claim the id before the effect: a concurrent delivery of the same event blocks on this
        # row and then fails with a unique violation, rolling its own effect back.
        db.session.flush()
        handler = HANDLERS.get(event["type"])
        outcome = handler(event, obj) if handler else "ignored"
        db.session.commit()
    except RetryLater:
        db.session.rollback()  # the event id is not recorded: the retry is applied in full
        raise
    except IntegrityError:
        db.session.rollback()
        if not already_processed(event["id"]):
            raise
        return "duplicate"
    except Exception:
        db.session.rollback()
        raise  # a 500: Stripe retries the event later
    current_app.logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return outcome


def already_processed(event_id: str) -> bool:
    return db.session.get(StripeEvent, event_id) is not None


# --- handlers: (event, event's object) -> outcome -------------------------------------------

def on_checkout_completed(event: Event, session: dict) -> str:
    """Link the Stripe customer and subscription to the account that started the checkout."""
    customer_id = _id(session.get("customer"))
    profile = _locked_profile(user_id=session.get("client_reference_id")) or _locked_profile(customer_id=customer_id)
    if profile is None:
        return _unknown(event, customer_id)
    if customer_id:
        profile.stripe_customer_id = customer_id
    if session.get("subscription"):
        profile.stripe_subscription_id = _id(session["subscription"])
    return "linked"


def on_subscription_changed(event: Event, subscription: dict) -> str:
    """Membership and quotas follow the subscription's price; an ended subscription means free."""
    profile = _subscription_owner(subscription)
    if profile is None:
        return _unknown(event, _id(subscription.get("customer")))
    if _is_stale(event):
        return "stale"
    if subscription.get("status") in ENDED_STATUSES:
        return _end_subscription(profile, subscription)
    plan = plan_for_price(_first_price_id(subscription))
    if plan is None:
        current_app.logger.warning("Stripe event %s: price %r is no configured plan; nothing changed",
                                   event["id"], _first_price_id(subscription))
        return "unknown price"
    if change_plan(profile.user_id, plan.name) is Change.CHANGED:
        audit.plan_changed(profile.user_id, plan.name, via="stripe")
    profile.stripe_subscription_id = subscription.get("id")
    return f"plan {plan.name}"


def on_subscription_deleted(event: Event, subscription: dict) -> str:
    """The subscription is gone: back to the free plan."""
    profile = _subscription_owner(subscription)
    if profile is None:
        return _unknown(event, _id(subscription.get("customer")))
    if _is_stale(event):
        return "stale"
    return _end_subscription(profile, subscription)


def on_invoice_paid(event: Event, invoice: dict) -> str:
    """A paid invoice opens a new period: nothing used this month, the whole quota available.

    It may be the first event of a new subscriber, before any event linked the customer: the
    account is then found by the subscription's metadata, which the invoice carries. A
    subscription's invoice whose account cannot be found yet is refused, so Stripe retries it.
    """
    customer_id = _id(invoice.get("customer"))
    profile = _locked_profile(customer_id=customer_id)
    if profile is None:
        profile = _locked_profile(user_id=_invoice_user_id(invoice))
        if profile is None:
            if _invoice_subscription(invoice):
                raise RetryLater(f"invoice of subscription {_invoice_subscription(invoice)!r}: account not known yet")
            return _unknown(event, customer_id)
        if customer_id and not profile.stripe_customer_id:
            profile.stripe_customer_id = customer_id
    start_new_period(Profile.user_id == profile.user_id, _invoice_period_end(invoice))
    return "new period"


HANDLERS: dict[str, Callable[[Event, dict], str]] = {
    "checkout.session.completed": on_checkout_completed,
    "customer.subscription.created": on_subscription_changed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_deleted,
    "invoice.paid": on_invoice_paid,
}


# --- helpers ------------------------------------------------------------------------------------

def _id(value: Any) -> str | None:
    """A Stripe reference is an id, or the object itself when expanded."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def _locked_profile(*, user_id: str | None = None, customer_id: str | None = None) -> Profile | None:
    """The profile by user_id or Stripe customer id, row-locked (PostgreSQL) until the commit."""
    if user_id:
        condition = Profile.user_id == user_id
    elif customer_id:
        condition = Profile.stripe_customer_id == customer_id
    else:
        return None
    return db.session.scalars(sa.select(Profile).where(condition).limit(1).with_for_update()).first()


def _subscription_owner(subscription: dict) -> Profile | None:
    """The subscriber: by customer id, else by the user_id Checkout put in the metadata.

    Stripe does not order deliveries: the subscription's events may come before
    checkout.session.completed has linked the customer, so the metadata links it here.
    """
    customer_id = _id(subscription.get("customer"))
    profile = _locked_profile(customer_id=customer_id)
    if profile is None:
        profile = _locked_profile(user_id=(subscription.get("metadata") or {}).get("user_id"))
        if profile is not None and customer_id and not profile.stripe_customer_id:
            profile.stripe_customer_id = customer_id
    return profile


def _is_stale(event: Event) -> bool:
    """Whether a newer subscription event of the same customer was already processed."""
    customer_id = _id(event["data"]["object"].get("customer"))
    created = event.get("created")
    if not customer_id or created is None:
        return False
    newest = db.session.scalar(
        sa.select(sa.func.max(StripeEvent.event_created)).where(
            StripeEvent.stripe_customer_id == customer_id,
            StripeEvent.type.in_(SUBSCRIPTION_EVENTS),
            StripeEvent.id != event["id"],
        )
    )
    return newest is not None and created < newest


def _end_subscription(profile: Profile, subscription: dict) -> str:
    """Back to free, unless the subscription that ended is not the account's current one."""
    if profile.stripe_subscription_id not in (None, subscription.get("id")):
        return "other subscription"
    if change_plan(profile.user_id, PlanName.FREE) is Change.CHANGED:
        audit.plan_changed(profile.user_id, PlanName.FREE, via="stripe")
    profile.stripe_subscription_id = None
    return "plan free"


def _invoice_subscription(invoice: dict) -> str | None:
    """The invoice's subscription: `subscription` (older API versions) or `parent.subscription_details`."""
    details = ((invoice.get("parent") or {}).get("subscription_details") or {})
    return _id(invoice.get("subscription")) or _id(details.get("subscription"))


def _invoice_user_id(invoice: dict) -> str | None:
    """The account Checkout put in the subscription's metadata, as the invoice repeats it."""
    candidates = [
        ((invoice.get("parent") or {}).get("subscription_details") or {}).get("metadata"),
        (invoice.get("subscription_details") or {}).get("metadata"),
        invoice.get("metadata"),
        *((line or {}).get("metadata") for line in ((invoice.get("lines") or {}).get("data") or [])),
    ]
    return next((m["user_id"] for m in candidates if isinstance(m, dict) and m.get("user_id")), None)


def _invoice_period_end(invoice: dict) -> datetime | None:
    """When the period the invoice paid for ends (its subscription line's period), naive UTC."""
    for line in (invoice.get("lines") or {}).get("data") or []:
        end = ((line or {}).get("period") or {}).get("end")
        if isinstance(end, int):
            return datetime.fromtimestamp(end, timezone.utc).replace(tzinfo=None)
    return None


def _first_price_id(subscription: dict) -> str | None:
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        return None
    return _id((items[0] or {}).get("price"))


def _unknown(event: Event, customer_id: str | None) -> str:
    current_app.logger.warning("Stripe event %s (%s) for an unknown customer %r: acknowledged, no effect",
                               event["id"], event["type"], customer_id)
    return "unknown customer"
