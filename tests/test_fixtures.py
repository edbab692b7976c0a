"""The `owner` fixture (made without the form) gives what signing up through the form gives."""
from franko.extensions import db
from franko.models import LoginSession, Profile


def test_the_owner_is_logged_in_with_a_session_that_logging_out_ends(client, owner, app):
    assert client.get("/auth/password").status_code == 200
    with app.app_context():
        assert db.session.query(LoginSession).filter_by(user_id=owner).count() == 1
    client.post("/auth/logout")
    with app.app_context():
        assert db.session.query(LoginSession).filter_by(user_id=owner).count() == 0
    assert client.get("/auth/password").headers["Location"].startswith("/auth/login")


def test_the_owner_is_unverified_on_the_free_plan_with_the_verification_email_sent(client, auth, owner, app):
    with app.app_context():
        profile = db.session.get(Profile, owner)
        assert profile.email == "owner@example.com" and profile.email_verified_at is None
        assert profile.membership == "free"
    assert auth.verify().status_code == 302
    with app.app_context():
        assert db.session.get(Profile, owner).email_verified_at is not None
