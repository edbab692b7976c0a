"""An owner's whole day in a real browser: sign up, profile, instance and guide, link, transcript, CSV, delete."""
import csv
import io

import uuid

import pytest
from playwright.sync_api import expect

from franko.extensions import db
from franko.models import ChatInstance
from tests.conftest import browser_signup, screenshot
from tests.factories import make_response

pytestmark = pytest.mark.browser


def test_owner_dashboard_end_to_end(live_server, page):
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    # Sign up.
    browser_signup(page, base)
    assert page.locator("#first-run").is_visible()
    screenshot(page, "dashboard-01-home-new-account")

    # Fill the organisation profile.
    page.get_by_role("link", name="Organisation").click()
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Organisation name").fill("Harbour Bakery")
    page.get_by_label("Organisation website").fill("not a url")
    page.get_by_label("What your organisation does").fill("We bake bread for the harbour district.")
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("Enter a full web address").is_visible()  # bad input: the message, nothing saved
    page.get_by_label("Organisation website").fill("https://bakery.example.org")
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("Your organisation profile is saved.").is_visible()
    screenshot(page, "dashboard-02-profile")

    # Create an instance with a guide, previewing its questions first.
    page.get_by_role("link", name="Chat instances").click()
    page.get_by_role("link", name="Create your first instance").click()
    page.get_by_label("Interview guide").fill(
        "# Customer discovery\n- What do you buy at a bakery?\n- What would make you come back?\n- Anything else?")
    page.get_by_role("button", name="Preview questions").click()
    preview = page.locator("#guide-preview li")
    assert preview.all_inner_texts() == ["What do you buy at a bakery?", "What would make you come back?", "Anything else?"]
    screenshot(page, "dashboard-03-guide-preview")
    page.get_by_role("button", name="Create instance").click()
    assert page.get_by_role("heading", name="Customer discovery").is_visible()

    # Copy the public link.
    link = page.locator("#public-link").input_value()
    instance_id = link.rsplit("/", 1)[1]
    assert link == f"{base}/i/{instance_id}" or link == f"{base}/i/{instance_id}/"
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied!")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    screenshot(page, "dashboard-04-instance-link")

    # A response arrives (seeded); open its transcript.
    with live_server.app.app_context():
        instance = db.session.get(ChatInstance, uuid.UUID(instance_id))
        make_response(instance, first_name="Ada", interviewee_second_name="Lovelace",
                      interviewee_email="=cmd|'/c calc'!A1")
    page.reload()
    page.get_by_role("link", name="Responses (1)").click()
    page.get_by_role("link", name="Ada Lovelace").click()
    assert page.get_by_role("heading", name="Interview with Ada Lovelace").is_visible()
    # The agent's message is rendered Markdown (a paragraph): its lines, blank ones left out.
    agent_meta, agent_text = [line for line in page.locator(".chat-bubble.agent").first.inner_text().split("\n") if line]
    assert agent_meta.startswith("Agent · ") and agent_text == "What do you do?"
    person_meta, person_text = page.locator(".chat-bubble.interviewee").first.inner_text().split("\n")
    assert person_meta.startswith("Ada Lovelace · ") and person_text == "I run a bakery."
    screenshot(page, "dashboard-05-transcript")

    # Export the responses as CSV.
    page.get_by_role("link", name="Responses").last.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename == "franko-customer-discovery.csv"
    with open(download.path(), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert [r["interviewee_first_name"] for r in rows] == ["Ada"]
    assert rows[0]["interviewee_email"] == "'=cmd|'/c calc'!A1"
    screenshot(page, "dashboard-06-responses")

    # Delete the instance after the confirmation naming its response.
    page.goto(base + "/instances/")
    page.get_by_role("link", name="Delete").click()
    assert page.get_by_text("and its 1 response").is_visible()
    screenshot(page, "dashboard-07-delete-confirmation")
    page.get_by_role("button", name="Delete instance and 1 response").click()
    assert page.get_by_text("and its 1 response were deleted").is_visible()
    assert page.get_by_text("No chat instances yet").is_visible()
    page.goto(base + "/")
    expect(page.locator("text=on the free plan")).to_contain_text("0 of 1")
    screenshot(page, "dashboard-08-home-after-delete")
