"""Bad bytes (NUL, invalid UTF-8) and out-of-range numbers in any input: 400, never 500, nothing stored.

One check in front of every view (franko/inputs.py), so each form below gets it without code of its own.
"""
import pytest

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, Profile, utcnow
from tests.factories import make_instance, make_profile, profile_by_email

BAD = {"NUL": "%00", "invalid UTF-8": "%FF%FE", "lone continuation byte": "%80"}


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": ["admin@example.com"]}


@pytest.fixture
def instance_id(app):
    with app.app_context():
        return make_instance(make_profile(email="org@example.com", plan="starter"), guide="# Study\nWhy?").id


def raw_post(client, url: str, fields: dict[str, str]):
    """POST an url-encoded body as given (values already %-encoded), with the session's CSRF token."""
    body = "&".join(f"{name}={value}" for name, value in {**fields, "csrf_token": client.csrf_token()}.items())
    return client.post(url, data=body.encode(), content_type="application/x-www-form-urlencoded")


def log_in(client, app, email, admin=False):
    with app.app_context():
        make_profile(email=email, email_verified_at=utcnow() if admin else None)
    assert client.post("/auth/login", data={"email": email, "password": "correct horse"}).status_code == 302


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_public_forms_refuse_bad_bytes(client, app, instance_id, bad):
    for url, fields in [
        ("/auth/login", {"email": f"a{bad}@example.com", "password": "correct horse"}),
        ("/auth/signup", {"email": f"a{bad}@example.com", "password": "correct horse", "confirm": "correct horse"}),
        ("/auth/signup", {"email": "a@example.com", "password": f"correct{bad}horse", "confirm": f"correct{bad}horse"}),
        ("/auth/forgot", {"email": f"a{bad}@example.com"}),
        (f"/i/{instance_id}", {"first_name": f"Ada{bad}", "consent": "y"}),
    ]:
        assert raw_post(client, url, fields).status_code == 400, (url, fields)
    with app.app_context():
        assert db.session.query(Profile).count() == 1
        assert db.session.query(ChatResponse).count() == 0


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_owner_forms_refuse_bad_bytes(client, app, bad):
    log_in(client, app, "owner@example.com")
    assert raw_post(client, "/profile/", {"email": "owner@example.com", "organisation_name": f"Org{bad}"}).status_code == 400
    assert raw_post(client, "/instances/new", {"interview_guide": f"# T\nWhy{bad}?"}).status_code == 400
    with app.app_context():
        profile = profile_by_email("owner@example.com")
        assert profile.organisation_name is None
        instance_id = make_instance(profile, guide="Kept?").id
    assert raw_post(client, f"/instances/{instance_id}/edit", {"interview_guide": f"Changed{bad}?"}).status_code == 400
    with app.app_context():
        assert db.session.get(ChatInstance, instance_id).interview_guide == "Kept?"


def test_the_same_forms_still_accept_good_text(client, app, instance_id):
    assert raw_post(client, f"/i/{instance_id}", {"first_name": "Zo%C3%AB", "consent": "y"}).status_code == 302
    log_in(client, app, "owner@example.com")
    assert raw_post(client, "/profile/", {"email": "owner@example.com", "organisation_name": "Caf%C3%A9"}).status_code == 302
    with app.app_context():
        assert profile_by_email("owner@example.com").organisation_name == "Café"


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_query_strings_and_paths_refuse_bad_bytes(client, app, bad):
    log_in(client, app, "admin@example.com", admin=True)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/?q=x{bad}").status_code == 400
    assert client.get(f"/admin/orgs/x{bad}").status_code == 400
    assert client.get(f"/auth/link/x{bad}").status_code == 400


def test_page_numbers_out_of_range_are_400(client, app):
    log_in(client, app, "admin@example.com", admin=True)
    with app.app_context():
        instance_id = make_instance(profile_by_email("admin@example.com")).id
    huge = "99999999999999999999"
    assert client.get(f"/admin/?page={huge}").status_code == 400
    assert client.get(f"/admin/?page=-{huge}").status_code == 400
    assert client.get(f"/instances/{instance_id}/responses?page={huge}").status_code == 400
    # In range, past the end: an ordinary (empty or last) page.
    assert client.get("/admin/?page=2147483647").status_code == 200
    assert client.get(f"/instances/{instance_id}/responses?page=2147483647").status_code == 200
    assert client.get(f"/instances/{instance_id}/responses?page=abc").status_code == 200


def test_multipart_forms_get_the_same_check(client, app, instance_id):
    response = client.post(f"/i/{instance_id}", data={"first_name": "Ada\x00", "consent": "y",
                                                      "csrf_token": client.csrf_token()},
                           content_type="multipart/form-data")
    assert response.status_code == 400
