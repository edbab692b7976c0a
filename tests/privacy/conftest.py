"""Privacy fixtures: admin@example.com is the configured admin."""
import pytest

ADMIN_EMAIL = "admin@example.com"


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": [ADMIN_EMAIL], "FRANKO_AUDIT_PER_PAGE": 3}


@pytest.fixture
def admin(app, auth):
    """The admin, signed up, verified by the emailed link and logged in; returns its user_id."""
    from tests.factories import signed_up_admin

    return signed_up_admin(app, auth, ADMIN_EMAIL)


@pytest.fixture
def done(app):
    """ZEB's completed interview: (owner_id, instance_id, browser, private link path)."""
    from tests.privacy.helpers import ZEB, interview, make_owner_instance, private_link_path

    owner_id, instance_id = make_owner_instance(app, webhook=False)
    browser = interview(app, instance_id, ZEB)
    return owner_id, instance_id, browser, private_link_path(browser.chat().get_data(as_text=True))
