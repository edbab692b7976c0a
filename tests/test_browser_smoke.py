"""A new visitor signs up in a real browser and lands on the dashboard home."""
import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_signup_in_browser(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Get started free").click()
    page.get_by_label("Email").fill("new@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse")
    page.get_by_label("Repeat password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("Responses this period").is_visible()
    screenshot(page, "home-after-signup")
