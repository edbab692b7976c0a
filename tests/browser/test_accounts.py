"""In a real browser: sign up → the verification email in the development outbox → verified →
"Forgot password" → the reset email → a new password; and no page breaks its own CSP."""
import pytest
from playwright.sync_api import expect

from tests.conftest import browser_signup, screenshot

pytestmark = pytest.mark.browser


def watch_csp(page) -> list[str]:
    """Every Content-Security-Policy violation the page reports (an inline script would be one)."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return violations


def test_sign_up_verify_and_reset_the_password_by_email(live_server, page):
    base = live_server.url
    violations = watch_csp(page)

    browser_signup(page, base, "grace@example.com")
    expect(page.get_by_text("We sent a link to grace@example.com")).to_be_visible()

    page.goto(base + "/profile/")
    expect(page.locator("#email-status")).to_contain_text("Not confirmed")

    page.goto(base + "/dev/outbox")
    expect(page.get_by_role("heading", name="Confirm your Franko email")).to_be_visible()
    screenshot(page, "accounts-01-outbox-verification")
    page.get_by_role("link", name="Open link").first.click()
    expect(page.get_by_text("grace@example.com is confirmed")).to_be_visible()
    expect(page.locator("#email-status")).to_contain_text("Confirmed")
    screenshot(page, "accounts-02-verified")

    # "Log out everywhere" asks first (the confirm handler lives in static/franko.js).
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Log out everywhere").click()
    expect(page.locator("#email-status")).to_contain_text("Confirmed")  # dismissed: still here
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log out everywhere").click()
    page.wait_for_url(base + "/auth/login")
    expect(page.get_by_text("You are logged out on every device.")).to_be_visible()

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("a link to reset its password is on its way")).to_be_visible()

    page.goto(base + "/dev/outbox")
    reset = page.locator("article", has=page.get_by_role("heading", name="Reset your Franko password"))
    screenshot(page, "accounts-03-outbox-reset")
    reset.get_by_role("link", name="Open link").click()
    page.get_by_label("New password", exact=True).fill("a brand new one")
    page.get_by_label("Repeat new password").fill("a brand new one")
    page.get_by_role("button", name="Set password and log in").click()
    page.wait_for_url(base + "/")
    expect(page.get_by_text("Your password is set and you are logged in.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill("a brand new one")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    screenshot(page, "accounts-04-logged-in-with-new-password")
    assert violations == []
