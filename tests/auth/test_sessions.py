"""Login sessions live on the server: a copied cookie dies with the logout, password change or reset."""
import pytest

from franko.extensions import db
from franko.models import LoginSession
from tests.conftest import email_link


def copy_of(client, app):
    """A second browser holding a copy of `client`'s cookies (session and remember-me)."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def logged_in(client) -> bool:
    return client.get("/instances/").status_code == 200


def login(app, password="correct horse", remember=False):
    browser = app.test_client()
    data = {"email": "owner@example.com", "password": password}
    if remember:
        data["remember"] = "y"
    assert browser.post("/auth/login", data=data).status_code == 302
    return browser


def test_a_session_copied_before_logout_stops_working(client, app, owner):
    thief = copy_of(client, app)
    assert logged_in(thief)
    client.post("/auth/logout")
    assert not logged_in(client)
    assert not logged_in(thief)


def test_a_remember_me_cookie_copied_before_logout_stops_working(app, owner):
    browser = login(app, remember=True)
    assert browser.get_cookie("remember_token") is not None
    thief = app.test_client()
    thief.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    assert logged_in(thief)
    browser.post("/auth/logout")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert not logged_in(fresh)


def test_logging_out_one_browser_keeps_the_others(client, app, owner):
    other = login(app)
    client.post("/auth/logout")
    assert logged_in(other)


def test_changing_the_password_ends_every_other_session(client, app, owner):
    other = login(app)
    thief = copy_of(client, app)
    page = client.post("/auth/password", data={"current": "correct horse", "password": "a new password",
                                                "confirm": "a new password"}, follow_redirects=True)
    assert "1 other session(s) ended" in page.get_data(as_text=True)
    assert logged_in(client)
    assert not logged_in(other)
    assert not logged_in(thief)  # this browser got a new session id: a copy of its old cookie is dead (issue 18)


def test_a_password_reset_ends_every_session(client, app, owner):
    other = login(app)
    anonymous = app.test_client()
    anonymous.post("/auth/forgot", data={"email": "owner@example.com"})
    link = email_link(app, "owner@example.com")
    assert anonymous.post(link, data={"password": "a new password", "confirm": "a new password"}).status_code == 302
    assert logged_in(anonymous)
    assert not logged_in(client)
    assert not logged_in(other)
    with app.app_context():
        assert db.session.query(LoginSession).count() == 1


def test_log_out_everywhere_from_the_profile_page(client, app, owner):
    other = login(app)
    thief = copy_of(client, app)
    assert "Log out everywhere" in client.get("/profile/").get_data(as_text=True)
    assert client.post("/auth/logout-everywhere").status_code == 302
    assert not any(logged_in(c) for c in (client, other, thief))
    with app.app_context():
        assert db.session.query(LoginSession).count() == 0


@pytest.mark.parametrize("remember", [False, True])
def test_a_password_change_renews_this_browsers_session(app, owner, remember):
    """A cookie copied from this very browser before the change opens nothing afterwards; the browser stays in."""
    browser = login(app, remember=remember)
    thief = copy_of(browser, app)
    assert logged_in(thief)
    response = browser.post("/auth/password", data={"current": "correct horse", "password": "a new password",
                                                   "confirm": "a new password"})
    assert response.status_code == 302
    assert logged_in(browser)
    assert not logged_in(copy_of(thief, app))
    if remember:  # the renewed remember-me cookie alone opens a new browser session
        fresh = app.test_client()
        fresh.set_cookie("remember_token", browser.get_cookie("remember_token").value)
        assert logged_in(fresh)
