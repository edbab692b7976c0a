"""The notification settings page: a radio choice with CSRF, a clear message for a bad value, the unverified note."""
import re

from franko.extensions import db
from franko.models import Profile
from tests.main.test_csrf import token_of
from tests.notifications.conftest import signed_up

URL = "/profile/notifications/"
CHOOSE = "Choose one of the three options."


def mode(app, user_id) -> str:
    with app.app_context():
        return db.session.get(Profile, user_id).notify_mode


def test_the_page_shows_the_three_choices_with_the_current_one_checked(app, client, auth, inbox):
    signed_up(app, auth, client, inbox)
    html = client.get(URL).get_data(as_text=True)
    assert "<legend" in html and "Emails about completed responses" in html
    for value, label in (("off", "No emails about responses"), ("each", "An email for each completed response"),
                         ("daily", "A daily digest of the responses completed that day")):
        radio = re.search(rf'<input[^>]*value="{value}"[^>]*>', html).group(0)
        assert 'type="radio"' in radio and 'name="notify_mode"' in radio
        assert ("checked" in radio) == (value == "off")
        input_id = re.search(r'id="([^"]+)"', radio).group(1)
        assert f'<label class="form-check-label" for="{input_id}">{label}</label>' in html
    assert "is not confirmed yet" not in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style


def test_choosing_a_mode_saves_it(app, client, auth, inbox):
    user_id = signed_up(app, auth, client, inbox)
    response = client.post(URL, data={"notify_mode": "each"})
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    assert mode(app, user_id) == "each"
    page = client.get(URL).get_data(as_text=True)
    assert "Saved: you will get an email for each completed response." in page
    assert re.search(r'<input[^>]*checked[^>]*value="each"|<input[^>]*value="each"[^>]*checked', page)


def test_a_bad_or_missing_value_is_answered_next_to_the_field_and_nothing_changes(app, client, auth, inbox):
    user_id = signed_up(app, auth, client, inbox)
    client.post(URL, data={"notify_mode": "daily"})
    for data in ({"notify_mode": "weekly"}, {}):
        response = client.post(URL, data=data)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        fieldset = re.search(r"<fieldset.*?</fieldset>", html, re.S).group(0)
        assert f'<div class="invalid-feedback d-block" id="notify-mode-error">{CHOOSE}</div>' in fieldset
        assert 'aria-describedby="notify-mode-error"' in fieldset
        assert mode(app, user_id) == "daily"


def test_a_post_without_the_csrf_token_is_refused(app, client, auth, inbox):
    user_id = signed_up(app, auth, client, inbox)
    token = token_of(client, URL)
    client.auto_csrf = False
    assert client.post(URL, data={"notify_mode": "each"}).status_code == 400
    assert client.post(URL, data={"notify_mode": "each", "csrf_token": "forged"}).status_code == 400
    assert mode(app, user_id) == "off"
    assert client.post(URL, data={"notify_mode": "each", "csrf_token": token}).status_code == 302
    assert mode(app, user_id) == "each"


def test_an_unverified_owner_is_told_why_no_email_comes_and_can_get_a_new_link(app, client, auth, inbox):
    signed_up(app, auth, client, inbox, verify=False)
    html = client.get(URL).get_data(as_text=True)
    assert "is not confirmed yet, so Franko sends no notifications to it" in html
    assert re.search(r'<form method="post" action="/auth/verify"', html)
    client.post("/auth/verify")
    (message,) = inbox.messages
    assert message["subject"] == "Confirm your Franko email"


def test_the_profile_page_links_to_the_settings_and_login_is_required(app, client, auth, inbox):
    signed_up(app, auth, client, inbox)
    assert f'href="{URL}"' in client.get("/profile/").get_data(as_text=True)
    client.post("/auth/logout")
    response = client.get(URL)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
