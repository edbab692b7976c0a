"""The billing page, Checkout and the portal, with the real stripe client talking to a local fake Stripe."""
import pytest
import sqlalchemy as sa

from franko.extensions import db
from franko.models import Profile


def set_fields(user_id: str, **values) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.update(Profile.__table__).where(Profile.__table__.c.user_id == user_id).values(**values))


def test_page_shows_plan_usage_and_upgrade_buttons(client, owner):
    page = client.get("/billing/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Billing is not configured" not in html
    assert "Upgrade to Starter" in html and "Upgrade to Pro" in html
    assert "0</strong> of 10 used" in html
    assert "Manage billing" not in html  # no Stripe customer yet


def test_checkout_sends_the_plan_price_and_the_account(client, owner, fake_stripe, app):
    response = client.post("/billing/checkout", data={"plan": "starter"})
    assert response.status_code == 303
    assert response.headers["Location"] == "https://checkout.stripe.test/c/pay/cs_test_1"
    [sent] = fake_stripe.requests
    assert sent["path"] == "/v1/checkout/sessions"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_franko"
    form = sent["form"]
    assert form["mode"] == "subscription"
    assert form["line_items[0][price]"] == "price_starter_test"
    assert form["line_items[0][quantity]"] == "1"
    assert form["client_reference_id"] == owner
    assert form["customer_email"] == "owner@example.com"
    assert "customer" not in form
    assert form["subscription_data[metadata][user_id]"] == owner
    assert form["success_url"] == "http://localhost/billing/?checkout=success"
    assert form["cancel_url"] == "http://localhost/billing/?checkout=cancelled"


def test_checkout_reuses_a_known_customer(client, owner, fake_stripe, app):
    with app.app_context():
        set_fields(owner, stripe_customer_id="cus_known")
    client.post("/billing/checkout", data={"plan": "pro"})
    form = fake_stripe.requests[0]["form"]
    assert form["customer"] == "cus_known"
    assert "customer_email" not in form
    assert form["line_items[0][price]"] == "price_pro_test"


@pytest.mark.parametrize("plan", ["free", "platinum", ""])
def test_checkout_of_a_plan_not_for_sale_is_refused(client, owner, fake_stripe, plan):
    assert client.post("/billing/checkout", data={"plan": plan}).status_code == 400
    assert fake_stripe.requests == []


def test_paying_customer_is_sent_to_the_portal_instead(client, owner, fake_stripe, app):
    with app.app_context():
        set_fields(owner, membership="starter", stripe_customer_id="cus_1", stripe_subscription_id="sub_1")
    response = client.post("/billing/checkout", data={"plan": "pro"}, follow_redirects=True)
    assert "change your plan with “Manage billing”" in response.get_data(as_text=True)
    assert fake_stripe.requests == []
    assert "Upgrade to Pro" not in client.get("/billing/").get_data(as_text=True)


def test_portal_session_for_the_customer(client, owner, fake_stripe, app):
    with app.app_context():
        set_fields(owner, stripe_customer_id="cus_known")
    assert "Manage billing" in client.get("/billing/").get_data(as_text=True)
    response = client.post("/billing/portal")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://billing.stripe.test/p/session/bps_test_1"
    [sent] = fake_stripe.requests
    assert sent["path"] == "/v1/billing_portal/sessions"
    assert sent["form"] == {"customer": "cus_known", "return_url": "http://localhost/billing/"}


def test_portal_without_a_customer_explains(client, owner, fake_stripe):
    response = client.post("/billing/portal", follow_redirects=True)
    assert "choose a plan first" in response.get_data(as_text=True)
    assert fake_stripe.requests == []


def test_stripe_failure_sends_the_user_back_with_a_message(client, owner, fake_stripe):
    fake_stripe.fail_with = 500
    response = client.post("/billing/checkout", data={"plan": "starter"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/billing/"
    assert "Stripe could not be reached" in client.get("/billing/").get_data(as_text=True)
    assert len(fake_stripe.requests) == 1  # no retries behind the user's back


def test_return_from_checkout_flashes_and_cleans_the_url(client, owner):
    response = client.get("/billing/?checkout=success")
    assert response.status_code == 302 and response.headers["Location"] == "/billing/"
    assert "as soon as Stripe confirms" in client.get("/billing/").get_data(as_text=True)


def test_anonymous_is_sent_to_log_in(client):
    for response in (client.get("/billing/"), client.post("/billing/checkout", data={"plan": "pro"}),
                     client.post("/billing/portal")):
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


class TestWithCsrfOn:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_checkout_without_token_is_refused(self, client, fake_stripe):
        import re

        page = client.get("/auth/signup").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/auth/signup", data={"email": "o@example.com", "password": "correct horse",
                                          "confirm": "correct horse", "csrf_token": token})
        client.auto_csrf = False
        assert client.post("/billing/checkout", data={"plan": "starter"}).status_code == 400
        billing = client.get("/billing/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', billing).group(1)
        assert client.post("/billing/checkout", data={"plan": "starter", "csrf_token": token}).status_code == 303
        assert len(fake_stripe.requests) == 1


class TestWithoutStripeKeys:
    @pytest.fixture
    def app_config(self):
        return {}

    def test_page_says_billing_is_not_configured(self, client, owner):
        html = client.get("/billing/").get_data(as_text=True)
        assert "Billing is not configured" in html
        assert "Upgrade to" not in html and "Manage billing" not in html
        assert "Free" in html or "free" in html

    def test_checkout_and_portal_are_refused_gracefully(self, client, owner):
        for url, data in (("/billing/checkout", {"plan": "starter"}), ("/billing/portal", {})):
            response = client.post(url, data=data)
            assert response.status_code == 303 and response.headers["Location"] == "/billing/"
        assert "Billing is not configured" in client.get("/billing/").get_data(as_text=True)

    def test_the_rest_of_the_app_works(self, client, owner):
        assert client.get("/").status_code == 200
