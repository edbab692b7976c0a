"""The webhook page in Chromium: save a URL, send a test event, read the log and a delivery; no axe findings."""
import pytest

from tests.conftest import browser_signup, screenshot
from tests.helpers import axe_findings

pytestmark = pytest.mark.browser


def test_webhook_page_end_to_end(live_server, page, receiver):
    base = live_server.url
    browser_signup(page, base)
    page.goto(base + "/instances/new")
    page.get_by_label("Interview guide").fill("# Bakery study\n- What do you bake?")
    page.get_by_role("button", name="Create instance").click()
    page.wait_for_url(f"{base}/instances/*")
    page.get_by_role("link", name="Webhook").click()
    page.wait_for_url(f"{base}/instances/*/webhook")
    assert axe_findings(page) == []

    # A bad value: the message is next to the field, announced with it.
    page.get_by_label("Webhook URL").fill("ftp://example.com/hook")
    page.get_by_role("button", name="Save URL").click()
    assert page.locator("#url.is-invalid + .form-text + .invalid-feedback").inner_text().startswith(
        "Use an address starting with https://")
    assert axe_findings(page) == []

    page.get_by_label("Webhook URL").fill(receiver.url)
    page.get_by_role("button", name="Save URL").click()
    assert page.get_by_text("The webhook URL is saved").is_visible()
    secret = page.get_by_label("Secret for verifying signatures").input_value()
    assert secret.startswith("whsec_")
    page.get_by_role("button", name="Send a test event").click()
    page.wait_for_selector("#deliveries-table")
    assert len(receiver.requests) == 1
    row = page.locator("#deliveries-table tbody tr").first
    assert "ping" in row.inner_text() and "Delivered" in row.inner_text()
    screenshot(page, "webhook-settings")
    assert axe_findings(page) == []

    row.get_by_role("button", name="Replay").click()
    page.wait_for_selector("#deliveries-table")
    assert len(receiver.requests) == 2

    page.locator("#deliveries-table tbody tr").first.get_by_role("link", name="Body").click()
    page.wait_for_url(f"{base}/instances/*/webhook/deliveries/*")
    assert '"type": "ping"' in page.locator("#delivery-body").inner_text()
    screenshot(page, "webhook-delivery")
    assert axe_findings(page) == []
