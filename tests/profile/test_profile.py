"""The organisation profile form: saving, validation, email uniqueness, escaping."""
import pytest

from franko.extensions import db
from tests.factories import make_profile, profile_by_email

GOOD = {
    "first_name": "Grace", "second_name": "Hopper", "email": "owner@example.com",
    "organisation_name": "Navy Labs", "organisation_url": "https://navy.example.org",
    "organisation_description": "We build compilers.",
}


def test_anonymous_is_sent_to_login(client):
    response = client.get("/profile/")
    assert response.status_code == 302 and response.location.startswith("/auth/login")
    assert client.post("/profile/", data=GOOD).status_code == 302


def test_form_shows_current_values(client, owner):
    page = client.get("/profile/").get_data(as_text=True)
    assert 'value="owner@example.com"' in page


def test_save_profile_and_description_completed(client, owner, app):
    response = client.post("/profile/", data=GOOD)
    assert response.status_code == 302 and response.location == "/profile/"
    assert "Your organisation profile is saved." in client.get("/profile/").get_data(as_text=True)
    with app.app_context():
        p = profile_by_email("owner@example.com")
        assert (p.first_name, p.second_name, p.organisation_name, p.organisation_url) == \
            ("Grace", "Hopper", "Navy Labs", "https://navy.example.org")
        assert p.organisation_description == "We build compilers."
        assert p.organisation_description_completed is True


def test_clearing_the_description_unticks_completed_and_blank_fields_are_null(client, owner, app):
    client.post("/profile/", data=GOOD)
    client.post("/profile/", data={**GOOD, "organisation_description": "   ", "first_name": "  ", "organisation_url": ""})
    with app.app_context():
        p = profile_by_email("owner@example.com")
        assert p.organisation_description is None and p.organisation_description_completed is False
        assert p.first_name is None and p.organisation_url is None


def test_values_are_trimmed(client, owner, app):
    client.post("/profile/", data={**GOOD, "organisation_name": "  Navy Labs  ", "email": " owner@example.com "})
    with app.app_context():
        assert profile_by_email("owner@example.com").organisation_name == "Navy Labs"


@pytest.mark.parametrize("field, value, message", [
    ("email", "", "This field is required."),
    ("email", "no-at-sign", "Invalid email address."),
    ("organisation_url", "not a url", "Enter a full web address, like https://example.org."),
    ("organisation_url", "javascript://alert(1)", "Only http:// and https:// addresses are accepted."),
    ("organisation_url", "ftp://files.example.org", "Only http:// and https:// addresses are accepted."),
    ("organisation_url", "https://example.org/" + "a" * 2000, "Field cannot be longer than 2000 characters."),
    ("first_name", "x" * 101, "Field cannot be longer than 100 characters."),
    ("second_name", "x" * 101, "Field cannot be longer than 100 characters."),
    ("organisation_name", "x" * 201, "Field cannot be longer than 200 characters."),
    ("organisation_description", "x" * 5001, "Field cannot be longer than 5000 characters."),
])
def test_bad_input_shows_the_message_and_stores_nothing(client, owner, app, field, value, message):
    response = client.post("/profile/", data={**GOOD, field: value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "is-invalid" in page
    with app.app_context():
        p = profile_by_email("owner@example.com")
        assert p.first_name is None and p.organisation_name is None and not p.organisation_description_completed


def test_email_must_be_unique_case_insensitively(client, owner, app):
    with app.app_context():
        make_profile(email="Taken@Example.com")
    page = client.post("/profile/", data={**GOOD, "email": "taken@EXAMPLE.com"}).get_data(as_text=True)
    assert "Another account already uses this email." in page
    with app.app_context():
        assert profile_by_email("owner@example.com") is not None


def test_own_email_in_another_case_is_fine_and_logs_in(client, owner, app, auth):
    assert client.post("/profile/", data={**GOOD, "email": "Owner@Example.COM"}).status_code == 302
    auth.logout()
    assert auth.login(email="owner@example.com").status_code == 302


def test_address_taken_before_the_change_link_is_followed_changes_nothing(client, owner, app):
    """Another account takes the new address between the request and the link: the email stays."""
    from franko.mail.services import outbox

    assert client.post("/profile/", data={**GOOD, "email": "racer@example.com"}).status_code == 302
    with app.app_context():
        link = outbox()[-1].body.split("http://localhost", 1)[1].split()[0]
        make_profile(email="RACER@example.com")
    page = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "Another account uses this email now" in page
    with app.app_context():
        assert profile_by_email("owner@example.com").user_id == owner


XSS = '<script>alert("x")</script>'


def test_typed_values_are_shown_escaped(client, owner):
    data = {**GOOD, "first_name": XSS, "second_name": XSS, "organisation_name": XSS,
            "organisation_description": XSS, "organisation_url": "https://example.org/?q=<script>"}
    assert client.post("/profile/", data=data).status_code == 302
    for url in ("/profile/", "/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page
