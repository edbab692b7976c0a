"""Every dashboard page sends an anonymous visitor to the login page, and back after logging in."""
import uuid

import pytest

SOME_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")
PAGES = [
    ("get", "/profile/"), ("post", "/profile/"), ("get", "/auth/password"), ("post", "/auth/password"),
    ("post", "/auth/logout"), ("get", "/instances/"), ("get", "/instances/new"), ("post", "/instances/new"),
    ("get", f"/instances/{SOME_ID}"), ("get", f"/instances/{SOME_ID}/edit"), ("post", f"/instances/{SOME_ID}/edit"),
    ("get", f"/instances/{SOME_ID}/delete"), ("post", f"/instances/{SOME_ID}/delete"),
    ("get", f"/instances/{SOME_ID}/responses"), ("get", f"/instances/{SOME_ID}/responses.csv"),
    ("get", f"/responses/{SOME_ID}"), ("post", f"/responses/{SOME_ID}/delete"),
]


@pytest.mark.parametrize("method, url", PAGES)
def test_anonymous_goes_to_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_login_returns_to_the_page_asked_for(client, auth):
    auth.signup()
    auth.logout()
    login_url = client.get("/instances/new").location
    response = client.post(login_url, data={"email": "owner@example.com", "password": "correct horse"})
    assert response.location == "/instances/new"
