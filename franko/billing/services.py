"""Stripe Checkout and the customer portal: the only places Franko calls Stripe's API."""
import stripe
from flask import current_app

from franko.models import Profile
from franko.plans import Plan, PlanName, all_plans
from franko.urls import external_url


class BillingNotConfigured(Exception):
    """STRIPE_SECRET_KEY is unset: billing is off (the embedded default)."""


def billing_configured() -> bool:
    """Whether Stripe's API can be called (a secret key is set)."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def sold_plans() -> list[Plan]:
    """The plans a customer can buy: those with a Stripe price id."""
    return [plan for plan in all_plans() if plan.price]


def stripe_client() -> stripe.StripeClient:
    """A Stripe client for this app; STRIPE_API_BASE points it elsewhere (tests' local fake server)."""
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise BillingNotConfigured()
    base = current_app.config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        key,
        base_addresses={"api": base} if base else None,
        # A click waits for Stripe: fail fast rather than retry behind the user's back.
        max_network_retries=0,
    )


def has_paid_subscription(profile: Profile) -> bool:
    """A paying customer changes plan in the portal; a second Checkout would open a second subscription."""
    return bool(profile.stripe_subscription_id) and profile.membership != PlanName.FREE


def create_checkout_session(profile: Profile, plan: Plan) -> str:
    """A Checkout session selling `plan` to `profile`; returns the URL to send the browser to."""
    back = external_url("billing.index")  # on FRANKO_BASE_URL, never the request's Host header
    params: dict = {
        "mode": "subscription",
        "line_items": [{"price": plan.price, "quantity": 1}],
        "client_reference_id": profile.user_id,
        "success_url": back + "?checkout=success",
        "cancel_url": back + "?checkout=cancelled",
        # The subscription carries the account too: its events may reach the webhook before
        # checkout.session.completed has linked the customer to the profile.
        "subscription_data": {"metadata": {"user_id": profile.user_id}},
        "metadata": {"user_id": profile.user_id, "plan": plan.name},
    }
    if profile.stripe_customer_id:
        params["customer"] = profile.stripe_customer_id
    elif profile.email:
        params["customer_email"] = profile.email
    session = stripe_client().v1.checkout.sessions.create(params)
    return session.url


def create_portal_session(profile: Profile) -> str:
    """A customer-portal session for a known Stripe customer; returns its URL."""
    session = stripe_client().v1.billing_portal.sessions.create({
        "customer": profile.stripe_customer_id,
        "return_url": external_url("billing.index"),
    })
    return session.url
