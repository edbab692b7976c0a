"""The interview taken in Chromium: with JavaScript (no reloads) and without it (plain form posts)."""
import json

import pytest
from playwright.sync_api import expect

from franko.extensions import db
from franko.models import ChatResponse
from tests.conftest import screenshot
from tests.interview.conftest import ORGANISATION, QUESTIONS, make_setup

pytestmark = pytest.mark.browser

ANSWERS = ["We bake bread for forty cafés in Leeds.",
           "Flour prices <b>keep</b> rising every month.",
           "A second oven and a steady flour supplier."]


@pytest.fixture
def setup_live(live_server):
    with live_server.app.app_context():
        return make_setup()


def stored(live_server) -> ChatResponse:
    with live_server.app.app_context():
        (response,) = db.session.scalars(db.select(ChatResponse)).all()
        db.session.expunge(response)
        return response


def intake(page, live_server, setup):
    page.goto(f"{live_server.url}/i/{setup.instance_id}")
    assert page.get_by_role("heading", name=f"{ORGANISATION} would like to hear from you").is_visible()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Email (optional)").fill("ada@example.com")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_selector("#messages .chat-bubble.agent")


def test_interview_with_javascript(live_server, setup_live, page):
    page.goto(f"{live_server.url}/i/{setup_live.instance_id}")
    screenshot(page, "interview-intake")
    intake(page, live_server, setup_live)
    screenshot(page, "interview-js-start")
    page.evaluate("window.__sameDocument = true")  # lost on any page load
    for n, answer in enumerate(ANSWERS):
        page.get_by_label("Your answer").fill(answer)
        page.get_by_role("button", name="Send").click()
        page.wait_for_function("n => document.querySelectorAll('#messages .chat-bubble').length === n",
                               arg=3 + 2 * n)
        if n == 1:
            screenshot(page, "interview-js-midway")
    assert page.evaluate("window.__sameDocument") is True  # every answer went without a reload
    # The count above includes the answer and reply shown while the server works: wait for its answer.
    expect(page.locator("#interview-closed")).to_be_visible()
    assert page.locator("#answer-form").count() == 0
    bubbles = page.locator("#messages .chat-bubble").all_inner_texts()
    assert bubbles[3] == ANSWERS[1]  # the markup was shown as typed, not interpreted
    assert page.locator("#messages b").count() == 0
    # The newest message was scrolled into view.
    assert page.locator("#messages .chat-bubble").last.evaluate(
        "el => el.getBoundingClientRect().bottom <= window.innerHeight + 1")
    screenshot(page, "interview-js-done")

    response = stored(live_server)
    assert response.status == "completed" and response.completion_status == "3/3"
    assert [m["content"] for m in response.conversation if m["role"] == "user"] == ANSWERS
    # Reloading shows the finished interview, not a new intake.
    page.goto(f"{live_server.url}/i/{setup_live.instance_id}")
    assert page.get_by_text("This interview is complete").is_visible()


def test_interview_without_javascript(live_server, setup_live, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        intake(page, live_server, setup_live)
        assert page.url.endswith("#latest")
        for n, answer in enumerate(ANSWERS):
            page.get_by_label("Your answer").fill(answer)
            with page.expect_navigation():
                page.get_by_role("button", name="Send").click()
            if n < len(ANSWERS) - 1:
                assert page.locator("#messages .chat-bubble").last.inner_text() == QUESTIONS[n + 1]
            if n == 0:
                screenshot(page, "interview-nojs-midway")
        assert page.get_by_text("This interview is complete").is_visible()
        assert page.locator("#answer-form").count() == 0
        screenshot(page, "interview-nojs-done")
        # Coming back to the link resumes the same (finished) response.
        page.goto(f"{live_server.url}/i/{setup_live.instance_id}")
        assert page.get_by_text("This interview is complete").is_visible()
    finally:
        context.close()
    response = stored(live_server)
    assert response.status == "completed" and response.clean_transcript.count("Ada:") == 3
