"""CSRF is on in every test (as in production): every dashboard form refuses a POST without its token."""
import re

import pytest

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, Profile
from tests.factories import make_instance, make_response, profile_by_email


def token_of(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.fixture
def signed_in(client, app):
    """Sign up through the form with its token; returns (instance_id, response_id) of the new owner."""
    token = token_of(client, "/auth/signup")
    response = client.post("/auth/signup", data={"email": "owner@example.com", "password": "correct horse",
                                                 "confirm": "correct horse", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"), guide="Kept?")
        return instance.id, make_response(instance).id


def test_signup_and_login_without_token_are_refused(client, app):
    client.auto_csrf = False
    response = client.post("/auth/signup", data={"email": "a@example.com", "password": "correct horse",
                                                 "confirm": "correct horse"})
    assert response.status_code == 400
    assert "The request could not be understood." in response.get_data(as_text=True)
    assert client.post("/auth/login", data={"email": "a@example.com", "password": "x"}).status_code == 400
    with app.app_context():
        assert db.session.query(Profile).count() == 0


def test_dashboard_posts_without_token_are_refused_and_change_nothing(client, app, signed_in):
    instance_id, response_id = signed_in
    client.auto_csrf = False
    posts = [
        ("/profile/", {"email": "changed@example.com", "organisation_name": "Changed"}),
        ("/auth/password", {"current": "correct horse", "password": "new password", "confirm": "new password"}),
        ("/instances/new", {"interview_guide": "New?", "submit": "Create"}),
        (f"/instances/{instance_id}/edit", {"interview_guide": "Changed?", "submit": "Save"}),
        (f"/instances/{instance_id}/delete", {}),
        (f"/responses/{response_id}/delete", {}),
        ("/auth/logout", {}),
        ("/auth/logout-everywhere", {}),
        ("/auth/verify", {}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 400, url
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 400, url
    with app.app_context():
        profile = profile_by_email("owner@example.com")
        assert profile.organisation_name is None
        assert db.session.query(ChatInstance).count() == 1
        assert db.session.get(ChatInstance, instance_id).interview_guide == "Kept?"
        assert db.session.get(ChatResponse, response_id) is not None
    assert client.get("/instances/").status_code == 200  # still logged in


def test_the_same_forms_work_with_their_token(client, app, signed_in):
    instance_id, response_id = signed_in
    url = f"/instances/{instance_id}/edit"
    assert client.post(url, data={"interview_guide": "Changed?", "submit": "Save",
                                  "csrf_token": token_of(client, url)}).status_code == 302
    url = f"/responses/{response_id}"
    assert client.post(url + "/delete", data={"csrf_token": token_of(client, url)}).status_code == 302
    with app.app_context():
        assert db.session.get(ChatInstance, instance_id).interview_guide == "Changed?"
        assert db.session.get(ChatResponse, response_id) is None
