"""The guide editor in Chromium: the preview follows the typing, and leaving with unsaved changes asks first."""
import pytest

from tests.conftest import browser_signup, screenshot

pytestmark = pytest.mark.browser

GUIDE = ("# Bakery study\n\nThanks for your time.\n\n> Be warm.\n\n- What do you bake?\n  - Probe: What sells best?\n"
         "- Who buys it?\n\n## Closing\nThank you!")


def test_live_preview_and_unsaved_changes(live_server, page):
    browser_signup(page, live_server.url)
    page.goto(live_server.url + "/instances/new")
    page.get_by_label("Interview guide").fill(GUIDE)
    # No button pressed: the preview follows the text.
    page.wait_for_function("() => document.querySelectorAll('#guide-preview .guide-questions > li').length === 2")
    preview = page.locator("#guide-preview")
    assert "Thanks for your time." in preview.inner_text() and "What sells best?" in preview.inner_text()
    assert preview.locator(".guide-instructions").inner_text() == "Be warm."
    screenshot(page, "guide-editor-live-preview")
    # Leaving now asks first; staying keeps the text.
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.get_by_role("link", name="Chat instances").first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/instances/new")
    assert page.get_by_label("Interview guide").input_value() == GUIDE
    # Saving asks nothing.
    page.remove_listener("dialog", on_dialog)
    page.get_by_role("button", name="Create instance").click()
    page.wait_for_url(f"{live_server.url}/instances/*")
    assert page.get_by_role("heading", name="Bakery study").is_visible()
