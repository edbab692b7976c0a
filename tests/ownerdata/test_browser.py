"""The owner's data page and the redaction settings in a real browser (Debian's Chromium), each checked with axe-core."""
import pytest
from playwright.sync_api import expect

from tests.conftest import browser_signup, email_link, screenshot
from tests.helpers import axe_findings

pytestmark = pytest.mark.browser


def test_download_everything_then_delete_the_organisation(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        base = live_server.url
        browser_signup(page, base)
        page.goto(base + "/profile/")
        page.get_by_role("link", name="Your data: download or delete").click()
        page.wait_for_url(base + "/profile/data/")
        expect(page.get_by_role("heading", name="Download everything")).to_be_visible()
        assert axe_findings(page) == []
        page.get_by_role("button", name="Download everything").click()
        expect(page.get_by_role("alert")).to_contain_text("We are preparing your archive")
        page.reload()  # the job ran when the request committed (tests run jobs at once)
        link = page.get_by_role("link", name="download the archive of")
        expect(link).to_be_visible()
        assert axe_findings(page) == []
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename.startswith("franko-archive-")
        screenshot(page, "owner_data")

        page.get_by_role("button", name="Delete the organisation…").click()
        expect(page.get_by_role("alert")).to_contain_text("We emailed a link to owner@example.com")
        page.goto(base + email_link(live_server.app, "owner@example.com"))
        expect(page.get_by_role("heading", name="Delete the organisation")).to_be_visible()
        assert axe_findings(page) == []
        page.get_by_role("button", name="Delete the organisation for good").click()
        expect(page.get_by_text("Tick the box to confirm.")).to_be_visible()
        assert axe_findings(page) == []
        page.get_by_label("I understand that my account").check()
        page.get_by_role("button", name="Delete the organisation for good").click()
        expect(page.get_by_role("alert")).to_contain_text("Your organisation and everything it held are deleted")
        assert axe_findings(page) == []
        screenshot(page, "owner_data_deleted")
    finally:
        context.close()


def test_the_redaction_settings_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        base = live_server.url
        browser_signup(page, base)
        page.goto(base + "/instances/new")
        page.get_by_label("Interview guide").fill("# Study\n- What do you do?")
        page.get_by_role("button", name="Create instance").click()
        page.get_by_role("link", name="Redaction").click()
        expect(page.get_by_role("heading", name="Redaction")).to_be_visible()
        assert axe_findings(page) == []
        page.get_by_label("Email addresses").check()
        page.get_by_label("Phone numbers").check()
        page.get_by_label("In the CSV export").check()
        page.get_by_role("button", name="Save redaction settings").click()
        expect(page.get_by_role("alert")).to_contain_text("masked before any text reaches the language model")
        expect(page.get_by_label("Email addresses")).to_be_checked()
        expect(page.get_by_label("Payment card numbers (checked with the Luhn digit)")).not_to_be_checked()
        assert axe_findings(page) == []
        screenshot(page, "redaction_settings")
    finally:
        context.close()
