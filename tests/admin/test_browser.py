"""An admin reads the usage table and its chart, sorts it and grants credits, in a real browser."""
from datetime import timedelta

import pytest

from franko.models import utcnow
from tests.conftest import screenshot
from tests.factories import make_instance, make_profile, make_response

pytestmark = pytest.mark.browser


def seed(app) -> None:
    """The admin, a dozen organisations, and responses spread over the last 90 days."""
    with app.app_context():
        make_profile(email="admin@example.com", organisation_name="Franko HQ", email_verified_at=utcnow())
        plans = ["free", "starter", "pro"]
        for i in range(12):
            plan = plans[i % 3]
            quota = {"free": 10, "starter": 100, "pro": 1000}[plan]
            used = (i * 37) % (quota + 1)
            profile = make_profile(email=f"owner{i:02d}@example.com", organisation_name=f"Organisation {i:02d}",
                                   plan=plan, total_responses_used_this_month=used,
                                   total_responses_available=quota - used, total_responses_used=used + i * 11)
            instance = make_instance(profile)
            for day in range(0, 90, 3 + i % 4):
                for _ in range((day * (i + 1)) % 4 + 1):
                    make_response(instance, created_at=utcnow() - timedelta(days=day, hours=1))


def test_usage_page_with_its_chart(live_server, page):
    seed(live_server.app)
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Admin", exact=True).click()
    page.wait_for_url(live_server.url + "/admin/")

    chart = page.locator("#responses-chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("document.getElementById('responses-chart').complete")
    assert chart.evaluate("img => img.naturalWidth") > 0  # the SVG loaded and drew
    assert page.locator("#usage-table tbody tr").count() == 13
    screenshot(page, "admin-usage")

    page.get_by_role("link", name="This period / quota").click()
    first = page.locator("#usage-table tbody tr").first
    assert "owner11@example.com" in first.inner_text()  # 11 * 37 = 407 used of pro's 1000, the most
    page.get_by_placeholder("Email or organisation name").fill("organisation 1")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#usage-table tbody tr").count() == 2  # 10 and 11
    screenshot(page, "admin-usage-search")

    page.get_by_role("link", name="owner10@example.com").click()
    page.get_by_label("Responses to add").fill("50")
    page.get_by_role("button", name="Grant credits").click()
    assert page.get_by_text("Granted 50 responses").is_visible()
    screenshot(page, "admin-organisation")
