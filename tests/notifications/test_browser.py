"""The notification settings in a real browser: keyboard-reachable radios, the saved choice, no axe-core finding."""
import pytest
from playwright.sync_api import expect

from tests.conftest import browser_signup, screenshot
from tests.helpers import axe_findings

pytestmark = pytest.mark.browser


def test_the_settings_page_is_accessible_and_saves_the_choice(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        base = live_server.url
        browser_signup(page, base)
        page.goto(base + "/profile/")
        page.get_by_role("link", name="Notification emails").click()
        page.wait_for_url(base + "/profile/notifications/")
        expect(page.get_by_text("is not confirmed yet")).to_be_visible()
        expect(page.get_by_label("No emails about responses")).to_be_checked()
        assert axe_findings(page) == []
        page.get_by_label("A daily digest of the responses completed that day").check()
        page.get_by_role("button", name="Save notification settings").click()
        expect(page.get_by_role("alert")).to_contain_text("Saved: you will get a daily digest")
        expect(page.get_by_label("A daily digest of the responses completed that day")).to_be_checked()
        assert axe_findings(page) == []
        screenshot(page, "notification_settings")
    finally:
        context.close()
