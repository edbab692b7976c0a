"""Sign up, log in (legacy bcrypt included), remember me, log out, `next`, password change."""
import bcrypt
import pytest

from franko.auth.passwords import hash_password, is_legacy_hash, verify_password
from franko.config import Config, ProductionConfig
from franko.extensions import db
from franko.models import Profile
from tests.factories import make_profile, profile_by_email


def test_signup_bad_input_shows_each_message_and_stores_nothing(client, app):
    response = client.post("/auth/signup", data={"email": "not-an-email", "password": "short", "confirm": "other"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Invalid email address." in page
    assert "Field must be between 8 and 128 characters long." in page
    assert "The passwords differ." in page
    with app.app_context():
        assert db.session.query(Profile).count() == 0


def test_signup_refuses_an_email_taken_in_another_case(client, auth, app):
    auth.signup(email="Owner@Example.com")
    auth.logout()
    response = auth.signup(email="owner@example.COM")
    assert "An account with this email already exists" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Profile).count() == 1


def test_login_logout(client, auth):
    auth.signup()
    auth.logout()
    assert client.get("/instances/").status_code == 302
    response = auth.login()
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/instances/").status_code == 200
    auth.logout()
    assert client.get("/instances/").status_code == 302


def test_login_wrong_password_and_unknown_email_say_the_same(client, auth):
    auth.signup()
    auth.logout()
    wrong = auth.login(password="wrong password").get_data(as_text=True)
    unknown = auth.login(email="nobody@example.com").get_data(as_text=True)
    assert "Wrong email or password." in wrong and "Wrong email or password." in unknown


def test_login_bad_input(client):
    page = client.post("/auth/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert page.count("This field is required.") == 2


def test_remember_me_sets_a_remember_cookie(client, auth):
    auth.signup()
    auth.logout()
    client.post("/auth/login", data={"email": "owner@example.com", "password": "correct horse", "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_without_remember_me_no_remember_cookie(client, auth):
    auth.signup()
    auth.logout()
    auth.login()
    assert client.get_cookie("remember_token") is None


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$"])
def test_legacy_bcrypt_login_is_rehashed_with_the_app_scheme(client, auth, app, prefix, real_hashing):
    legacy = bcrypt.hashpw(b"old secret", bcrypt.gensalt(rounds=4)).decode()
    legacy = prefix + legacy[4:]
    with app.app_context():
        make_profile(email="old@example.com", password=None, password_hash=legacy)
    assert auth.login(email="old@example.com", password="wrong").status_code == 200
    with app.app_context():
        assert profile_by_email("old@example.com").password_hash == legacy  # a failed login changes nothing
    assert auth.login(email="old@example.com", password="old secret").status_code == 302
    with app.app_context():
        stored = profile_by_email("old@example.com").password_hash
    assert not is_legacy_hash(stored) and stored.startswith("scrypt:")
    assert verify_password(stored, "old secret")
    auth.logout()
    assert auth.login(email="old@example.com", password="old secret").status_code == 302


def test_signup_stores_an_scrypt_hash_that_logs_in(client, auth, app, real_hashing):
    auth.signup()
    with app.app_context():
        stored = profile_by_email("owner@example.com").password_hash
    assert stored.startswith("scrypt:") and verify_password(stored, "correct horse")
    auth.logout()
    assert auth.login().status_code == 302
    assert not verify_password(stored, "correct horse!")


def test_only_the_test_configuration_hashes_cheaply(app):
    assert "FRANKO_PASSWORD_METHOD" not in vars(Config) and "FRANKO_PASSWORD_METHOD" not in vars(ProductionConfig)
    assert hash_password("correct horse").startswith("scrypt:")  # no app: the app's scheme
    with app.app_context():
        assert hash_password("correct horse").startswith("pbkdf2:sha256:1$")
        del app.config["FRANKO_PASSWORD_METHOD"]
        assert hash_password("correct horse").startswith("scrypt:")


def test_account_without_password_cannot_log_in(client, auth, legacy_profile):
    response = auth.login(email="legacy@example.com", password="anything at all")
    assert "Wrong email or password." in response.get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/instances/", "/instances/"),
    ("/profile/?x=1", "/profile/?x=1"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com/", "/"),
    ("/\\evil.example.com", "/"),
    ("javascript:alert(1)", "/"),
    ("http://localhost/instances/", "/"),
])
def test_next_is_limited_to_this_site(client, auth, target, expected):
    auth.signup()
    auth.logout()
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": "owner@example.com", "password": "correct horse"})
    assert response.status_code == 302
    assert response.location == expected


def test_anonymous_page_redirects_to_login_with_next(client):
    response = client.get("/auth/password")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_change_password(client, auth, owner, app):
    response = client.post("/auth/password", data={
        "current": "correct horse", "password": "battery staple", "confirm": "battery staple"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login(password="correct horse").status_code == 200
    assert auth.login(password="battery staple").status_code == 302


def test_change_password_bad_input_changes_nothing(client, auth, owner, app):
    with app.app_context():
        before = profile_by_email("owner@example.com").password_hash
    page = client.post("/auth/password", data={
        "current": "not my password", "password": "battery staple", "confirm": "battery staple"}).get_data(as_text=True)
    assert "This is not your current password." in page
    page = client.post("/auth/password", data={
        "current": "correct horse", "password": "short", "confirm": "different"}).get_data(as_text=True)
    assert "Field must be between 8 and 128 characters long." in page
    assert "The passwords differ." in page
    page = client.post("/auth/password", data={}).get_data(as_text=True)
    assert page.count("This field is required.") == 3
    with app.app_context():
        assert profile_by_email("owner@example.com").password_hash == before


def test_logged_in_user_visiting_login_or_signup_goes_home(client, owner):
    assert client.get("/auth/login").location == "/"
    assert client.get("/auth/signup").location == "/"


def test_legacy_address_the_validator_would_refuse_still_logs_in(client, app):
    with app.app_context():
        make_profile(email="Owner@Intranet.local", password="correct horse")
    response = client.post("/auth/login", data={"email": "owner@intranet.local", "password": "correct horse"})
    assert response.status_code == 302
    assert "Hello" in client.get("/").get_data(as_text=True)


def test_demo_account_logs_in_through_the_form(client, runner):
    from franko.cli.demo import DEMO_EMAIL, DEMO_PASSWORD

    assert runner.invoke(args=["franko", "seed-demo"]).exit_code == 0
    response = client.post("/auth/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
