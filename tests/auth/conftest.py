"""Fixtures of the auth tests."""
import re

import pytest


def csrf_token(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def legacy_profile(ctx):
    """A migrated legacy account: a profile with no password, as the old auth provider left it."""
    from tests.factories import make_profile

    return make_profile(email="legacy@example.com", password=None)


@pytest.fixture
def owner(app, auth):
    """A signed-up, logged-in owner on the free plan, made through the real sign-up form; returns its user_id."""
    from tests.factories import profile_by_email

    auth.signup()
    with app.app_context():
        return profile_by_email("owner@example.com").user_id


@pytest.fixture
def real_hashing(app):
    """The production hashing (scrypt) for the tests of hashing; the test configuration uses a cheap method."""
    app.config["FRANKO_PASSWORD_METHOD"] = "scrypt"
