"""One-time login links: account claim and password reset, issued by `flask franko login-link`."""
import time

from itsdangerous import TimestampSigner

from franko.auth.services import make_login_token, profile_for_login_token
from franko.extensions import db
from tests.factories import make_profile, profile_by_email


def link_path(app, email: str) -> str:
    with app.app_context():
        return "/auth/link/" + make_login_token(profile_by_email(email))


def test_cli_prints_a_full_link_by_email_or_user_id(app, runner, legacy_profile):
    result = runner.invoke(args=["franko", "login-link", "LEGACY@example.com"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[0]
    assert url.startswith("http://127.0.0.1:5000/auth/link/")
    result = runner.invoke(args=["franko", "login-link", legacy_profile.user_id,
                                 "--base-url", "https://franko.example.org/"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[0]
    assert url.startswith("https://franko.example.org/auth/link/")
    with app.app_context():
        assert profile_for_login_token(url.rsplit("/", 1)[1]).user_id == legacy_profile.user_id


def test_cli_unknown_account_fails(runner, ctx):
    result = runner.invoke(args=["franko", "login-link", "nobody@example.com"])
    assert result.exit_code != 0
    assert "No account has the email or user id 'nobody@example.com'" in result.output


def test_legacy_account_is_claimed_once(client, app, auth, legacy_profile):
    path = link_path(app, "legacy@example.com")
    opened = client.get(path)
    assert opened.status_code == 200
    assert "legacy@example.com" in opened.get_data(as_text=True)
    assert opened.headers["Referrer-Policy"] == "same-origin"  # the token never reaches another site
    with app.app_context():  # opening the link changes nothing
        assert profile_by_email("legacy@example.com").password_hash is None
    response = client.post(path, data={"password": "brand new pass", "confirm": "brand new pass"})
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/instances/").status_code == 200  # logged in
    auth.logout()
    assert auth.login(email="legacy@example.com", password="brand new pass").status_code == 302
    auth.logout()
    # Used: the password it was bound to has changed.
    again = client.get(path)
    assert again.status_code == 400
    assert "This link is not valid" in again.get_data(as_text=True)
    assert client.post(path, data={"password": "attacker pass", "confirm": "attacker pass"}).status_code == 400
    assert auth.login(email="legacy@example.com", password="brand new pass").status_code == 302


def test_password_reset_link_dies_when_the_password_changes_otherwise(client, app, auth, owner):
    path = link_path(app, "owner@example.com")
    client.post("/auth/password", data={"current": "correct horse", "password": "battery staple",
                                        "confirm": "battery staple"})
    auth.logout()
    assert client.get(path).status_code == 400


def test_set_password_bad_input_keeps_the_link_alive(client, app, legacy_profile):
    path = link_path(app, "legacy@example.com")
    page = client.post(path, data={"password": "short", "confirm": "nope"}).get_data(as_text=True)
    assert "Field must be between 8 and 128 characters long." in page
    assert "The passwords differ." in page
    with app.app_context():
        assert profile_by_email("legacy@example.com").password_hash is None
    assert client.get(path).status_code == 200


def test_expired_link_is_refused(client, app, monkeypatch, legacy_profile):
    day_ago = int(time.time()) - 25 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: day_ago)
    path = link_path(app, "legacy@example.com")
    monkeypatch.undo()
    assert client.get(path).status_code == 400


def test_tampered_or_foreign_tokens_are_refused(client, app, legacy_profile):
    path = link_path(app, "legacy@example.com")
    assert client.get(path[:-2] + ("aa" if not path.endswith("aa") else "bb")).status_code == 400
    assert client.get("/auth/link/not-a-token").status_code == 400
    with app.app_context():
        other = make_profile(email="other@example.com")
        token = make_login_token(other)
        db.session.delete(other)
        db.session.commit()
    assert client.get("/auth/link/" + token).status_code == 400  # its account is gone


def test_token_of_another_app_secret_is_refused(app, legacy_profile):
    with app.app_context():
        token = make_login_token(profile_by_email("legacy@example.com"))
        app.config["SECRET_KEY"] = "another-secret"
        assert profile_for_login_token(token) is None


def test_token_does_not_reveal_the_password_hash(app, ctx):
    profile = make_profile(email="x@example.com")
    token = make_login_token(profile)
    import base64
    payload = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
    assert profile.password_hash not in payload and "scrypt" not in payload
