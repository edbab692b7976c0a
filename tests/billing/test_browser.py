"""An owner sees the billing page and is sent to (a fake) Stripe Checkout in a real browser."""
import pytest

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_upgrade_goes_to_checkout(live_server, page, fake_stripe):
    fake_stripe.checkout_url = fake_stripe.url + "/c/pay/cs_test_1"  # stay on this machine
    page.goto(live_server.url + "/auth/signup")
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse")
    page.get_by_label("Repeat password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(live_server.url + "/")
    page.locator("#nav").get_by_role("link", name="Plan & billing").click()
    assert page.get_by_test_id("current-plan").inner_text().lower() == "free"
    assert page.get_by_role("button", name="Upgrade to Starter").is_visible()
    screenshot(page, "billing-page")
    page.get_by_role("button", name="Upgrade to Pro").click()
    page.wait_for_url(fake_stripe.checkout_url)
    assert page.get_by_role("heading", name="Fake Stripe Checkout").is_visible()
    [sent] = fake_stripe.requests
    assert sent["form"]["line_items[0][price]"] == "price_pro_test"
    assert sent["form"]["customer_email"] == "owner@example.com"
