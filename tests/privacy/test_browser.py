"""In a real browser, checked by axe-core: the notice before the intake, the end page's private link, the
interviewee's page (read, download, delete), and the owner's privacy settings, instance and responses pages."""
import json

import pytest
from playwright.sync_api import expect

from franko.extensions import db
from franko.models import ChatResponse
from tests.conftest import screenshot
from tests.helpers import axe_findings
from tests.privacy.helpers import NOTICE, ZEB, make_owner_instance

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {}


def no_findings(page, name):
    screenshot(page, f"privacy-{name}")
    assert axe_findings(page) == [], name


def test_notice_interview_private_page_and_deletion(live_server, browser):
    app, base = live_server.app, live_server.url
    owner_id, instance_id = make_owner_instance(app, notice=NOTICE, webhook=False, retention_days=30)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce",
                                  accept_downloads=True)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        page.goto(f"{base}/i/{instance_id}")
        notice = page.get_by_role("region", name="How Acme Bakeries handles your answers")
        expect(notice).to_be_visible()
        expect(notice.locator("strong")).to_have_text("for a year")
        no_findings(page, "start-with-notice")

        page.get_by_label("First name").fill(ZEB.first)
        page.get_by_label("Second name (optional)").fill(ZEB.second)
        page.get_by_label("Email (optional)").fill(ZEB.email)
        page.get_by_label("I agree").check()
        page.get_by_role("button", name="Start the interview").click()
        for answer in ZEB.answers:
            page.get_by_label("Your answer").fill(answer)
            page.get_by_role("button", name="Send").click()
            expect(page.locator("#messages .chat-bubble", has_text=answer)).to_be_visible()
        expect(page.locator("#interview-closed")).to_be_visible()
        link = page.get_by_test_id("private-link")
        expect(link).to_be_visible()
        no_findings(page, "end-with-private-link")

        link.click()
        expect(page.get_by_role("heading", name="Your interview")).to_be_visible()
        expect(page.get_by_test_id("my-transcript")).to_contain_text(ZEB.answers[1])
        no_findings(page, "interviewee-page")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download as JSON").click()
        with open(download.value.path(), encoding="utf-8") as f:
            data = json.load(f)
        assert [m["content"] for m in data["messages"] if m["role"] == "you"] == ZEB.answers

        page.get_by_role("button", name="Delete my interview").click()  # not confirmed: refused, said why
        expect(page.get_by_text("Please tick the box to confirm.")).to_be_visible()
        no_findings(page, "interviewee-page-unconfirmed")
        page.get_by_label("I understand").check()
        page.get_by_role("button", name="Delete my interview").click()
        expect(page.get_by_role("heading", name="Your interview was deleted")).to_be_visible()
        no_findings(page, "interviewee-deleted")
        with app.app_context():
            assert db.session.query(ChatResponse).count() == 0
        page.go_back()
        page.reload()
        expect(page.get_by_text("This interview was deleted.")).to_be_visible()
        assert violations == []
    finally:
        context.close()

    # The owner: the responses page says what happened, the instance page the policy, the settings page.
    context = browser.new_context(viewport={"width": 390, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(base + "/auth/login")
        page.get_by_label("Email").fill("owner-p@example.com")
        page.get_by_label("Password").fill("correct horse")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base + "/")
        page.goto(f"{base}/instances/{instance_id}/responses")
        expect(page.get_by_test_id("interviewee-deletions")).to_contain_text(
            "A response was deleted at the interviewee's request")
        no_findings(page, "owner-responses")
        page.goto(f"{base}/instances/{instance_id}")
        expect(page.get_by_test_id("retention-policy")).to_contain_text("deleted 30 days")
        no_findings(page, "owner-instance")
        page.get_by_role("link", name="Privacy", exact=True).click()
        page.get_by_label("Delete responses after (days)").fill("0")
        page.get_by_role("button", name="Save privacy settings").click()
        expect(page.locator(".invalid-feedback")).to_contain_text("from 1 to")
        no_findings(page, "owner-settings-error")
        page.get_by_label("Delete responses after (days)").fill("14")
        page.get_by_role("button", name="Save privacy settings").click()
        expect(page.get_by_text("The privacy settings are saved.")).to_be_visible()
        no_findings(page, "owner-settings")
        page.goto(f"{base}/profile/audit")
        expect(page.get_by_test_id("audit-log")).to_contain_text("response.deleted_by_interviewee")
        no_findings(page, "owner-audit")
    finally:
        context.close()
