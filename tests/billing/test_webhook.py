"""The Stripe webhook: signature, each event type's effect, each event id once, out-of-order events."""
import json
import logging
import time

import pytest
import sqlalchemy as sa
import stripe

from franko.billing import webhook
from franko.extensions import db
from franko.models import Profile, StripeEvent
from tests.billing.conftest import WEBHOOK_SECRET, make_event, signed_post, subscription
from tests.factories import make_profile


def reload(user_id: str) -> Profile:
    db.session.expire_all()
    return db.session.get(Profile, user_id)


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent))


@pytest.fixture
def customer(ctx):
    """A free account already linked to Stripe customer cus_1, 4 responses used this period."""
    profile = make_profile(email="payer@example.com", stripe_customer_id="cus_1",
                           total_responses_used_this_month=4, total_responses_available=6)
    return profile.user_id


# --- signature --------------------------------------------------------------------------------

def test_signed_by_stripes_helper_is_accepted(client, customer):
    response = signed_post(client, make_event("invoice.paid", {"object": "invoice", "customer": "cus_1"}))
    assert response.status_code == 200
    assert response.json == {"received": True, "outcome": "new period"}


@pytest.mark.parametrize("header", [
    "",  # missing
    "t=1700000000,v1=deadbeef",  # wrong signature
    "garbage",  # unparseable
])
def test_bad_or_missing_signature_is_400_and_changes_nothing(client, customer, header):
    event = make_event("customer.subscription.updated", subscription(price="price_pro_test"))
    response = signed_post(client, event, header=header)
    assert response.status_code == 400
    assert reload(customer).membership == "free"
    assert event_count() == 0


def test_signed_with_another_secret_is_400(client, customer):
    event = make_event("customer.subscription.updated", subscription(price="price_pro_test"))
    assert signed_post(client, event, secret="whsec_someone_else").status_code == 400
    assert reload(customer).membership == "free"


def test_tampered_body_is_400(client, customer):
    event = make_event("customer.subscription.updated", subscription(price="price_starter_test"))
    header = stripe.WebhookSignature.generate_signature_header(json.dumps(event), WEBHOOK_SECRET)
    event["data"]["object"]["items"]["data"][0]["price"]["id"] = "price_pro_test"
    assert signed_post(client, event, header=header).status_code == 400
    assert reload(customer).membership == "free"
    assert event_count() == 0


def test_replayed_old_signature_is_400(client, customer):
    event = make_event("customer.subscription.updated", subscription(price="price_pro_test"))
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 3600)
    assert signed_post(client, event, header=header).status_code == 400
    assert reload(customer).membership == "free"


def test_signed_non_event_is_400(client, customer):
    response = signed_post(client, {}, body=json.dumps({"hello": "world"}))
    assert response.status_code == 400
    assert event_count() == 0


class TestWithoutWebhookSecret:
    @pytest.fixture
    def app_config(self):
        return {"STRIPE_WEBHOOK_SECRET": None}

    def test_every_delivery_is_400(self, client, customer):
        event = make_event("customer.subscription.updated", subscription(price="price_pro_test"))
        assert signed_post(client, event).status_code == 400
        assert reload(customer).membership == "free"
        assert event_count() == 0


class TestWithCsrfOn:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_webhook_needs_no_csrf_token(self, client, customer):
        event = make_event("customer.subscription.created", subscription(price="price_starter_test"))
        assert signed_post(client, event).status_code == 200
        assert reload(customer).membership == "starter"


# --- each event type's effect -----------------------------------------------------------------

def test_checkout_completed_links_customer_and_subscription(client, ctx):
    owner = make_profile(email="new@example.com").user_id
    session = {"object": "checkout.session", "client_reference_id": owner, "customer": "cus_new",
               "subscription": "sub_new", "mode": "subscription"}
    assert signed_post(client, make_event("checkout.session.completed", session)).json["outcome"] == "linked"
    profile = reload(owner)
    assert (profile.stripe_customer_id, profile.stripe_subscription_id) == ("cus_new", "sub_new")
    assert profile.membership == "free"  # the plan comes with the subscription event


def test_checkout_completed_falls_back_to_the_customer(client, customer):
    session = {"object": "checkout.session", "client_reference_id": None, "customer": "cus_1", "subscription": "sub_9"}
    signed_post(client, make_event("checkout.session.completed", session))
    assert reload(customer).stripe_subscription_id == "sub_9"


def test_subscription_created_sets_plan_and_quotas(client, customer):
    response = signed_post(client, make_event("customer.subscription.created", subscription(price="price_starter_test")))
    assert response.json["outcome"] == "plan starter"
    profile = reload(customer)
    assert profile.membership == "starter"
    assert profile.monthly_responses_quota == 100
    assert profile.total_chat_instances_available == 5
    assert profile.total_responses_available == 96  # mid-period: what was used stays used
    assert profile.stripe_subscription_id == "sub_1"


def test_subscription_updated_to_pro(client, customer):
    signed_post(client, make_event("customer.subscription.created", subscription(price="price_starter_test"), created=100))
    signed_post(client, make_event("customer.subscription.updated", subscription(price="price_pro_test"), created=200))
    profile = reload(customer)
    assert (profile.membership, profile.monthly_responses_quota, profile.total_chat_instances_available) == ("pro", 1000, 50)


@pytest.mark.parametrize("status", ["canceled", "unpaid", "incomplete_expired"])
def test_subscription_updated_to_an_ended_status_means_free(client, customer, status):
    signed_post(client, make_event("customer.subscription.created", subscription(price="price_pro_test"), created=100))
    signed_post(client, make_event("customer.subscription.updated", subscription(price="price_pro_test", status=status),
                                   created=200))
    profile = reload(customer)
    assert (profile.membership, profile.monthly_responses_quota, profile.total_chat_instances_available) == ("free", 10, 1)
    assert profile.total_responses_available == 6


def test_subscription_deleted_means_free(client, customer):
    signed_post(client, make_event("customer.subscription.created", subscription(price="price_pro_test"), created=100))
    response = signed_post(client, make_event("customer.subscription.deleted",
                                              subscription(price="price_pro_test", status="canceled"), created=200))
    assert response.json["outcome"] == "plan free"
    profile = reload(customer)
    assert profile.membership == "free" and profile.monthly_responses_quota == 10
    assert profile.stripe_subscription_id is None


def test_deleting_an_old_subscription_keeps_the_current_one(client, customer):
    signed_post(client, make_event("customer.subscription.created", subscription(price="price_pro_test", id_="sub_2"),
                                   created=100))
    signed_post(client, make_event("customer.subscription.deleted", subscription(id_="sub_old", status="canceled"),
                                   created=200))
    profile = reload(customer)
    assert (profile.membership, profile.stripe_subscription_id) == ("pro", "sub_2")


def test_invoice_paid_starts_a_new_period(client, ctx):
    user_id = make_profile(plan="starter", stripe_customer_id="cus_1", total_responses_used_this_month=70,
                           total_responses_available=30, total_responses_used=500).user_id
    signed_post(client, make_event("invoice.paid", {"object": "invoice", "customer": "cus_1"}))
    profile = reload(user_id)
    assert (profile.total_responses_used_this_month, profile.total_responses_available) == (0, 100)
    assert profile.total_responses_used == 500  # lifetime count untouched


def test_subscription_event_before_checkout_completed_uses_the_metadata(client, ctx):
    """Stripe does not order deliveries: the subscription may come first; Checkout put user_id in its metadata."""
    owner = make_profile(email="early@example.com").user_id
    sub = subscription(customer="cus_early", price="price_starter_test", metadata={"user_id": owner})
    assert signed_post(client, make_event("customer.subscription.created", sub)).json["outcome"] == "plan starter"
    profile = reload(owner)
    assert (profile.membership, profile.stripe_customer_id) == ("starter", "cus_early")


def test_unknown_price_changes_nothing(client, customer, caplog):
    with caplog.at_level(logging.WARNING):
        response = signed_post(client, make_event("customer.subscription.created", subscription(price="price_other")))
    assert response.json["outcome"] == "unknown price"
    assert reload(customer).membership == "free"
    assert "price_other" in caplog.text


def test_unknown_customer_is_logged_acknowledged_and_recorded(client, customer, caplog):
    with caplog.at_level(logging.WARNING):
        response = signed_post(client, make_event("invoice.paid", {"object": "invoice", "customer": "cus_nobody"},
                                                  id_="evt_nobody"))
    assert response.status_code == 200
    assert response.json["outcome"] == "unknown customer"
    assert "cus_nobody" in caplog.text
    recorded = db.session.get(StripeEvent, "evt_nobody")
    assert (recorded.type, recorded.stripe_customer_id) == ("invoice.paid", "cus_nobody")


def test_unhandled_event_type_is_acknowledged(client, customer):
    response = signed_post(client, make_event("customer.created", {"object": "customer", "id": "cus_1"}))
    assert (response.status_code, response.json["outcome"]) == (200, "ignored")
    assert event_count() == 1


# --- each event once ----------------------------------------------------------------------------

def test_same_event_twice_has_one_effect(client, customer):
    event = make_event("invoice.paid", {"object": "invoice", "customer": "cus_1"})
    assert signed_post(client, event).json["outcome"] == "new period"
    # Responses are charged after the reset; a redelivery must not reset the period again.
    db.session.execute(sa.update(Profile).where(Profile.user_id == customer)
                       .values(total_responses_used_this_month=3, total_responses_available=7))
    db.session.commit()
    second = signed_post(client, event)
    assert (second.status_code, second.json["outcome"]) == (200, "duplicate")
    profile = reload(customer)
    assert (profile.total_responses_used_this_month, profile.total_responses_available) == (3, 7)
    assert event_count() == 1


def test_invoice_paid_resets_the_period_once(client, customer):
    event = make_event("invoice.paid", {"object": "invoice", "customer": "cus_1"})
    outcomes = [signed_post(client, event).json["outcome"] for _ in range(3)]
    assert outcomes == ["new period", "duplicate", "duplicate"]


def test_concurrent_duplicate_loses_on_the_unique_key(customer, monkeypatch):
    """Two deliveries of one id both pass the first check: the second's insert fails and its effect is rolled back."""
    event = make_event("customer.subscription.created", subscription(price="price_pro_test"), id_="evt_race")
    db.session.add(StripeEvent(id="evt_race", type=event["type"], stripe_customer_id="cus_1", event_created=1))
    db.session.commit()
    real, calls = webhook.already_processed, []

    def racy(event_id: str) -> bool:
        """The race: the first check ran before the other delivery committed; later checks see its row."""
        calls.append(event_id)
        return False if len(calls) == 1 else real(event_id)

    monkeypatch.setattr(webhook, "already_processed", racy)
    assert webhook.process_event(event) == "duplicate"
    assert len(calls) == 2
    assert reload(customer).membership == "free"
    assert event_count() == 1


def test_older_subscription_event_after_a_newer_one_does_not_undo_it(client, customer):
    newer = make_event("customer.subscription.updated", subscription(price="price_pro_test"), created=2_000)
    older = make_event("customer.subscription.updated", subscription(price="price_starter_test"), created=1_000)
    assert signed_post(client, newer).json["outcome"] == "plan pro"
    assert signed_post(client, older).json["outcome"] == "stale"
    assert reload(customer).membership == "pro"
    assert db.session.get(StripeEvent, older["id"]) is not None  # recorded all the same


def test_older_deletion_after_a_newer_update_does_not_undo_it(client, customer):
    newer = make_event("customer.subscription.created", subscription(price="price_starter_test", id_="sub_1"), created=2_000)
    older = make_event("customer.subscription.deleted", subscription(status="canceled", id_="sub_1"), created=1_000)
    signed_post(client, newer)
    assert signed_post(client, older).json["outcome"] == "stale"
    assert reload(customer).membership == "starter"


def test_events_in_order_all_apply(client, customer):
    for created, price in [(1_000, "price_starter_test"), (2_000, "price_pro_test"), (3_000, "price_starter_test")]:
        signed_post(client, make_event("customer.subscription.updated", subscription(price=price), created=created))
    assert reload(customer).membership == "starter"


def test_another_customers_newer_event_does_not_make_this_one_stale(client, customer):
    other = make_profile(stripe_customer_id="cus_2").user_id
    signed_post(client, make_event("customer.subscription.updated", subscription(customer="cus_2", price="price_pro_test"),
                                   created=5_000))
    signed_post(client, make_event("customer.subscription.updated", subscription(price="price_starter_test"), created=1_000))
    assert reload(customer).membership == "starter"
    assert reload(other).membership == "pro"
