"""Only configured admins reach admin pages: visitors log in first, owners get 403."""
import pytest

from tests.factories import make_profile

ADMIN_URLS = [
    ("GET", "/admin/"),
    ("GET", "/admin/chart/responses-per-day.svg"),
    ("GET", "/admin/usage.csv"),
    ("GET", "/admin/orgs/{other}"),
    ("POST", "/admin/orgs/{other}/credits"),
    ("POST", "/admin/orgs/{other}/plan"),
    ("GET", "/admin/jobs"),
    ("GET", "/admin/audit"),
    ("POST", "/admin/jobs/1/retry"),
]


@pytest.fixture
def other(app):
    with app.app_context():
        return make_profile(email="other@example.com").user_id


def test_every_admin_route_is_listed_here(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert rules == {url.replace("{other}", "<user_id>").replace("/1/", "/<int:job_id>/") for _, url in ADMIN_URLS}


@pytest.mark.parametrize("method,url", ADMIN_URLS)
def test_anonymous_is_sent_to_log_in(client, other, method, url):
    response = client.open(url.format(other=other), method=method, data={"amount": "5", "plan": "pro"})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url", ADMIN_URLS)
def test_owner_gets_403_and_changes_nothing(client, owner, other, app, method, url):
    response = client.open(url.format(other=other), method=method, data={"amount": "5", "plan": "pro"})
    assert response.status_code == 403
    with app.app_context():
        from franko.extensions import db
        from franko.models import Profile

        profile = db.session.get(Profile, other)
        assert (profile.membership, profile.total_responses_available) == ("free", 10)


def test_owner_sees_no_admin_link(client, owner):
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)


def test_admin_sees_the_admin_link(client, admin):
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)
    assert client.get("/admin/").status_code == 200


def test_admin_email_matches_case_insensitively(client, auth):
    auth.signup(email="ADMIN@example.COM")
    assert client.get("/admin/").status_code == 403  # not verified yet
    auth.verify("ADMIN@example.COM")
    assert client.get("/admin/").status_code == 200
