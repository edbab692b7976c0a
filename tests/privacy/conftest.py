"""Privacy fixtures: admin@example.com is the configured admin."""
import pytest

ADMIN_EMAIL = "admin@example.com"


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": [ADMIN_EMAIL], "FRANKO_AUDIT_PER_PAGE": 3}


@pytest.fixture
def admin(app, auth):
    """The admin, signed up, verified by the emailed link and logged in; returns its user_id."""
    from tests.factories import profile_by_email

    auth.signup(email=ADMIN_EMAIL)
    auth.verify(ADMIN_EMAIL)  # admin rights need the address verified
    with app.app_context():
        return profile_by_email(ADMIN_EMAIL).user_id


@pytest.fixture
def done(app):
    """ZEB's completed interview: (owner_id, instance_id, browser, private link path)."""
    from tests.privacy.helpers import ZEB, interview, make_owner_instance, private_link_path

    owner_id, instance_id = make_owner_instance(app, webhook=False)
    browser = interview(app, instance_id, ZEB)
    return owner_id, instance_id, browser, private_link_path(browser.chat().get_data(as_text=True))
