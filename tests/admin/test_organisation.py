"""One organisation's page: its usage, granting credits, changing the plan; each change logged."""
import logging

import pytest
from sqlalchemy import event

from franko.extensions import db
from franko.models import Profile
from franko.models import utcnow
from tests.factories import make_instance, make_profile, make_response


@pytest.fixture
def org(app, admin):
    """A free organisation with 3 of its 10 responses used and one instance holding two responses."""
    with app.app_context():
        profile = make_profile(email="org@example.com", organisation_name="Acme <Bakery>",
                               total_responses_used_this_month=3, total_responses_available=7, total_responses_used=3)
        instance = make_instance(profile)
        make_response(instance)
        make_response(instance)
        return profile.user_id


def fresh(app, user_id: str) -> Profile:
    with app.app_context():
        profile = db.session.get(Profile, user_id)
        db.session.expunge(profile)
        return profile


def test_page_shows_the_organisations_usage(client, org):
    html = client.get(f"/admin/orgs/{org}").get_data(as_text=True)
    assert "Acme &lt;Bakery&gt;" in html and "Acme <Bakery>" not in html
    assert "org@example.com" in html
    assert "3 / 10" in html
    assert '<dd class="col-6">2</dd>' in html  # responses stored
    assert "1 / 1 (1 stored)" in html


def test_unknown_organisation_is_404(client, admin):
    assert client.get("/admin/orgs/nobody").status_code == 404
    assert client.post("/admin/orgs/nobody/credits", data={"amount": "5"}).status_code == 404
    assert client.post("/admin/orgs/nobody/plan", data={"plan": "pro"}).status_code == 404


def test_grant_credits_adds_to_the_balance_in_one_update_and_logs_it(client, org, app, caplog):
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with caplog.at_level(logging.INFO, logger="franko"):
            response = client.post(f"/admin/orgs/{org}/credits", data={"amount": "25"})
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 302
    assert len([s for s in statements if s.startswith("UPDATE")]) == 1  # no read-modify-write
    assert fresh(app, org).total_responses_available == 32
    assert fresh(app, org).total_responses_used_this_month == 3
    assert "admin@example.com granted 25 credits to " + org + ": available 7 -> 32" in caplog.text
    assert "Granted 25 responses: 32 now available." in client.get(f"/admin/orgs/{org}").get_data(as_text=True)


@pytest.mark.parametrize("amount,message", [
    ("0", "Grant at least 1 response."),
    ("-5", "Grant at least 1 response."),
    ("abc", "Not a valid integer value."),
    ("", "Enter a number of responses."),
    ("100001", "Grant at most 100,000 responses at a time."),
])
def test_bad_amounts_are_refused_next_to_the_field(client, org, app, amount, message):
    response = client.post(f"/admin/orgs/{org}/credits", data={"amount": amount})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert fresh(app, org).total_responses_available == 7


def test_change_plan_applies_the_plan_and_logs_before_and_after(client, org, app, caplog):
    with caplog.at_level(logging.INFO, logger="franko"):
        response = client.post(f"/admin/orgs/{org}/plan", data={"plan": "starter"})
    assert response.status_code == 302
    profile = fresh(app, org)
    assert (profile.membership, profile.monthly_responses_quota, profile.total_chat_instances_available) == ("starter", 100, 5)
    assert (profile.total_responses_used_this_month, profile.total_responses_available) == (3, 97)
    assert f"admin admin@example.com changed the plan of {org}: membership free -> starter" in caplog.text
    assert "monthly_responses_quota 10 -> 100" in caplog.text
    assert "total_responses_available 7 -> 97" in caplog.text


def test_change_plan_with_a_new_period(client, org, app):
    client.post(f"/admin/orgs/{org}/plan", data={"plan": "pro", "new_period": "y"})
    profile = fresh(app, org)
    assert (profile.membership, profile.total_responses_used_this_month, profile.total_responses_available) == ("pro", 0, 1000)


def test_unknown_plan_is_refused(client, org, app):
    response = client.post(f"/admin/orgs/{org}/plan", data={"plan": "platinum"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert fresh(app, org).membership == "free"


def test_stripe_subscriber_page_warns_that_stripe_sets_the_plan(client, admin, app):
    with app.app_context():
        user_id = make_profile(plan="starter", stripe_customer_id="cus_1", stripe_subscription_id="sub_1").user_id
    html = client.get(f"/admin/orgs/{user_id}").get_data(as_text=True)
    assert "next subscription event sets the plan again" in html


class TestWithCsrfOn:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_grant_without_token_is_refused(self, client, app):
        with app.app_context():
            make_profile(email="admin@example.com", email_verified_at=utcnow())
            target = make_profile().user_id
        import re

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/auth/login").get_data(as_text=True)).group(1)
        client.post("/auth/login", data={"email": "admin@example.com", "password": "correct horse", "csrf_token": token})
        client.auto_csrf = False
        assert client.post(f"/admin/orgs/{target}/credits", data={"amount": "5"}).status_code == 400
        assert fresh(app, target).total_responses_available == 10
