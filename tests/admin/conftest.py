"""Admin fixtures: admin@example.com is the configured admin."""
import pytest

ADMIN_EMAIL = "admin@example.com"


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": [ADMIN_EMAIL], "FRANKO_ADMIN_PER_PAGE": 50}


@pytest.fixture
def admin(app, auth):
    """The admin, signed up, verified by the emailed link and logged in; returns its user_id."""
    from tests.factories import signed_up_admin

    return signed_up_admin(app, auth, ADMIN_EMAIL)
