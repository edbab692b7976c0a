"""Home, responses, transcript and admin in a real browser, at desktop and phone widths, checked by axe-core."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from franko.extensions import db
from franko.models import Profile, utcnow
from tests.conftest import screenshot
from tests.factories import make_instance, make_profile, make_response
from tests.helpers import axe_findings

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": ["admin@example.com"]}


@pytest.fixture(params=list(WIDTHS))
def view(request, browser, live_server):
    """A logged-out page at one width, in Paris time (the server writes UTC), and the 404s it met."""
    # Reduced motion: Bootstrap then has no colour transitions, so axe never sees a half-faded button.
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900}, timezone_id="Europe/Paris",
                                  reduced_motion="reduce")
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.width_name = request.param
    yield page, missing
    context.close()


def seed(app) -> dict:
    with app.app_context():
        owner = make_profile(email="owner@example.com", organisation_name="Harbour Bakery",
                             total_responses_used_this_month=8, total_responses_available=2, total_responses_used=8)
        make_profile(email="admin@example.com", email_verified_at=utcnow())  # admin rights need it verified
        instance = make_instance(owner, guide="# Bakery study\n- What do you bake?\n- What is hard about it?")
        now = utcnow()
        ids = [make_response(instance, first_name=f"Baker{i}", interviewee_second_name="Longsurname-Hyphenated",
                             interviewee_email=f"baker{i}.with.a.long.address@example.org",
                             created_at=now - timedelta(days=i)).id for i in range(3)]
        make_response(instance, first_name="Waiting", status="in_progress", charged_at=None, created_at=now)
        return {"instance": str(instance.id), "responses": [str(i) for i in ids], "owner": owner.user_id}


def login(page, base, email):
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def fits(page) -> bool:
    """Nothing wider than the viewport: no table cut off at the side."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check(page, missing, name):
    screenshot(page, f"workspace-{name}-{page.width_name}")
    assert axe_findings(page) == []
    assert fits(page), f"{name} is wider than {page.viewport_size['width']} px"
    assert not missing, missing  # the favicon among them


def test_owner_workspace(live_server, view):
    page, missing = view
    base = live_server.url
    ids = seed(live_server.app)
    login(page, base, "owner@example.com")

    # Home: the bar is amber at 80%, the period's end is in Paris time, the counts agree with the list.
    expect(page.locator("#usage-card .usage-bar")).to_have_attribute("data-level", "high")
    period_end = page.locator("#period-end time")
    expect(period_end).to_have_attribute("data-converted", "1")
    assert re.search(r"GMT\+1|CET|CEST|GMT\+2", period_end.inner_text()), period_end.inner_text()
    assert "4 responses stored" in page.locator("#response-counts").inner_text()
    assert page.locator("a.list-group-item").count() == 4
    check(page, missing, "home")

    # Responses: the status filter applies on change, the search and dates filter, rows read at 390 px.
    page.goto(f"{base}/instances/{ids['instance']}/responses")
    check(page, missing, "responses")
    page.get_by_label("Status").select_option("in_progress")
    page.wait_for_url(re.compile(r"status=in_progress"))
    expect(page.locator("#responses-table tbody tr")).to_have_count(1)
    page.get_by_label("Status").select_option("")
    page.wait_for_url(re.compile(r"status=(&|$)"))
    page.get_by_label("Search").fill("baker1")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=baker1"))
    expect(page.locator("#responses-table tbody tr")).to_have_count(1)
    check(page, missing, "responses-search")

    # Transcript: previous / next, copy.
    page.goto(f"{base}/responses/{ids['responses'][1]}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.get_by_role("button", name="Copy transcript").click()
    expect(page.get_by_role("button", name="Copied!")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#transcript").inner_text()
    check(page, missing, "transcript")
    page.get_by_role("link", name="Older →").click()
    page.wait_for_url(f"{base}/responses/{ids['responses'][2]}")


def test_admin_grants_and_changes_plan(live_server, view):
    page, missing = view
    base = live_server.url
    ids = seed(live_server.app)
    with live_server.app.app_context():
        p = db.session.get(Profile, ids["owner"])
        p.total_responses_used_this_month, p.total_responses_available = 10, 0
        db.session.commit()
    login(page, base, "admin@example.com")
    page.goto(base + "/admin/")
    check(page, missing, "admin")
    page.goto(f"{base}/admin/orgs/{ids['owner']}")
    expect(page.locator("[data-testid=usage] .usage-bar")).to_have_attribute("data-level", "full")
    page.get_by_label("Responses to add").fill("5")
    page.get_by_role("button", name="Grant credits").click()
    expect(page.locator("[data-testid=available]")).to_have_text("5")
    expect(page.locator("[data-testid=usage] .usage-bar")).to_have_attribute("data-level", "ok")
    assert page.locator("select#plan").count() == 1
    page.get_by_label("Plan", exact=True).select_option("starter")
    page.get_by_role("button", name="Change plan").click()
    expect(page.locator("[data-testid=available]")).to_have_text("95")
    page.get_by_role("button", name="Change plan").click()  # the same plan again
    expect(page.get_by_text("Already on the starter plan: nothing changed.")).to_be_visible()
    check(page, missing, "admin-organisation")
