"""Admin rights follow a *verified* address (§6, §9): signing up or changing one's email grants nothing
until the link sent to that address is followed."""
import pytest

from franko.extensions import db
from franko.models import Profile, utcnow
from tests.conftest import email_link
from tests.factories import make_profile, profile_by_email

ADMIN = "boss@example.com"
PROFILE = {"first_name": "", "second_name": "", "organisation_name": "Org", "organisation_url": "",
           "organisation_description": ""}


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": [ADMIN]}


def test_signing_up_with_an_admin_address_grants_nothing_until_verified(client, app, auth):
    assert auth.signup(email=ADMIN).status_code == 302
    assert client.get("/admin/").status_code == 403
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert profile_by_email(ADMIN).email_verified_at is None
    assert auth.verify(ADMIN).status_code == 302
    with app.app_context():
        assert profile_by_email(ADMIN).email_verified_at is not None
    assert client.get("/admin/").status_code == 200


def test_changing_the_email_to_an_admin_address_takes_effect_only_through_the_link(client, app, auth, owner):
    auth.verify("owner@example.com")
    response = client.post("/profile/", data={**PROFILE, "email": ADMIN}, follow_redirects=True)
    assert f"We sent a link to {ADMIN}" in response.get_data(as_text=True)
    with app.app_context():
        profile = db.session.get(Profile, owner)
        assert profile.email == "owner@example.com" and profile.organisation_name == "Org"
    assert client.get("/admin/").status_code == 403
    # The link went to the new address, not to the old one.
    link = email_link(app, ADMIN)
    assert client.get(link).status_code == 302
    with app.app_context():
        profile = db.session.get(Profile, owner)
        assert profile.email == ADMIN and profile.email_verified_at is not None
    assert client.get("/admin/").status_code == 200
    # The link works once.
    assert client.get(link).status_code == 400


def test_a_link_is_void_once_a_newer_change_happened(client, app, auth, owner):
    client.post("/profile/", data={**PROFILE, "email": "first@example.com"})
    first = email_link(app, "first@example.com")
    client.post("/profile/", data={**PROFILE, "email": "second@example.com"})
    assert client.get(email_link(app, "second@example.com")).status_code == 302
    assert client.get(first).status_code == 400
    with app.app_context():
        assert db.session.get(Profile, owner).email == "second@example.com"


def test_a_forged_or_expired_link_changes_nothing(client, app, auth, owner):
    assert client.get("/auth/verify/not-a-token").status_code == 400
    link = email_link(app, "owner@example.com")
    app.config["FRANKO_VERIFY_LINK_MAX_AGE"] = -1
    assert client.get(link).status_code == 400
    with app.app_context():
        assert db.session.get(Profile, owner).email_verified_at is None


def test_a_legacy_admin_account_verifies_from_the_profile_page(client, app, auth):
    with app.app_context():
        make_profile(email=ADMIN.upper())  # from before verification existed: unverified
    auth.login(email=ADMIN)
    assert client.get("/admin/").status_code == 403
    page = client.get("/profile/").get_data(as_text=True)
    assert "Not confirmed" in page and "Send a confirmation link" in page
    assert client.post("/auth/verify").status_code == 302
    assert client.get(email_link(app, ADMIN)).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert "Confirmed" in client.get("/profile/").get_data(as_text=True)


def test_a_password_reset_by_email_verifies_the_address(client, app, auth):
    with app.app_context():
        make_profile(email=ADMIN)
    client.post("/auth/forgot", data={"email": ADMIN})
    link = email_link(app, ADMIN)
    assert client.post(link, data={"password": "a new password", "confirm": "a new password"}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_login_link_from_the_cli_does_not_verify(client, app, runner):
    """The operator hands that link to someone: it proves nothing about the mailbox."""
    with app.app_context():
        make_profile(email=ADMIN, password=None)
    url = runner.invoke(args=["franko", "login-link", ADMIN]).stdout.splitlines()[0]
    path = url.split("5000", 1)[1]
    assert client.post(path, data={"password": "a new password", "confirm": "a new password"}).status_code == 302
    assert client.get("/admin/").status_code == 403


def test_admin_pages_check_the_verified_flag_on_every_request(client, app, auth):
    with app.app_context():
        make_profile(email=ADMIN, email_verified_at=utcnow())
    auth.login(email=ADMIN)
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        profile_by_email(ADMIN).email_verified_at = None
        db.session.commit()
    assert client.get("/admin/").status_code == 403


def test_asking_for_a_second_change_voids_the_first_link(client, app, auth, owner):
    """Issue 18: a mistyped address (A), corrected (B): A's link must not take the account afterwards."""
    client.post("/profile/", data={**PROFILE, "email": "typo@example.com"})
    first = email_link(app, "typo@example.com")
    client.post("/profile/", data={**PROFILE, "email": "right@example.com"})
    assert client.get("/instances/").status_code == 200  # asking renewed the session, the owner stays in
    assert app.test_client().get(first).status_code == 400
    with app.app_context():
        assert db.session.get(Profile, owner).email == "owner@example.com"
    assert app.test_client().get(email_link(app, "right@example.com")).status_code == 302
    with app.app_context():
        profile = db.session.get(Profile, owner)
        assert profile.email == "right@example.com" and profile.email_verified_at is not None
