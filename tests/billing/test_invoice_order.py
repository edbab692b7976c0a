"""invoice.paid in any order: a new subscriber's first invoice may come before anything linked its customer."""
import sqlalchemy as sa

from franko.extensions import db
from franko.models import Profile, StripeEvent
from tests.billing.conftest import make_event, signed_post, subscription
from tests.factories import make_profile


def reload(user_id: str) -> Profile:
    db.session.expire_all()
    return db.session.get(Profile, user_id)


def invoice(customer="cus_new", user_id=None, shape="parent", period_end=1_900_000_000) -> dict:
    """A subscription's invoice as Stripe sends it: the subscription's metadata in `parent` (API 2025) or the lines."""
    metadata = {"user_id": user_id} if user_id else {}
    obj = {"object": "invoice", "customer": customer,
           "lines": {"object": "list", "data": [{"object": "line_item", "period": {"start": period_end - 2_592_000,
                                                                                  "end": period_end},
                                                 "metadata": metadata if shape == "lines" else {}}]}}
    if shape == "parent":
        obj["parent"] = {"type": "subscription_details",
                         "subscription_details": {"subscription": "sub_new", "metadata": metadata}}
    else:
        obj["subscription"] = "sub_new"
    return obj


def checkout_completed(user_id: str) -> dict:
    return {"object": "checkout.session", "client_reference_id": user_id, "customer": "cus_new",
            "subscription": "sub_new"}


def test_first_invoice_before_every_linking_event_is_applied(client, ctx):
    """The issue's sequence: 4 used on free, then invoice.paid, subscription.created, checkout.completed."""
    owner = make_profile(email="new@example.com", total_responses_used_this_month=4, total_responses_available=6).user_id
    first = signed_post(client, make_event("invoice.paid", invoice(user_id=owner)))
    assert first.status_code == 200 and first.json["outcome"] == "new period"
    signed_post(client, make_event("customer.subscription.created",
                                   subscription(customer="cus_new", id_="sub_new", metadata={"user_id": owner})))
    signed_post(client, make_event("checkout.session.completed", checkout_completed(owner)))
    profile = reload(owner)
    assert (profile.membership, profile.stripe_customer_id) == ("starter", "cus_new")
    assert (profile.total_responses_used_this_month, profile.total_responses_available) == (0, 100)
    assert profile.period_ends_at is not None and profile.period_ends_at.year == 2030


def test_the_user_id_is_found_in_the_invoice_lines_too(client, ctx):
    owner = make_profile(email="lines@example.com", total_responses_used_this_month=4, total_responses_available=6).user_id
    assert signed_post(client, make_event("invoice.paid", invoice(user_id=owner, shape="lines"))).status_code == 200
    profile = reload(owner)
    assert (profile.stripe_customer_id, profile.total_responses_used_this_month) == ("cus_new", 0)


def test_a_subscription_invoice_of_an_unknown_account_is_retried_not_dropped(client, ctx):
    """No metadata and no linked customer yet: a non-2xx answer, nothing recorded, so Stripe's retry applies it."""
    owner = make_profile(email="later@example.com", total_responses_used_this_month=4, total_responses_available=6).user_id
    event = make_event("invoice.paid", invoice())
    response = signed_post(client, event)
    assert response.status_code == 503
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    signed_post(client, make_event("checkout.session.completed", checkout_completed(owner)))
    assert signed_post(client, event).json["outcome"] == "new period"  # Stripe's retry
    assert reload(owner).total_responses_used_this_month == 0
