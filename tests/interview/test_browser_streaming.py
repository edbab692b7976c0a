"""The interview in Chromium with a streaming LLM: progress, one send per answer, focus, typed text kept."""
import pytest

from franko.extensions import db
from franko.models import ChatResponse
from tests.conftest import screenshot
from tests.interview.conftest import QUESTIONS, make_setup
from tests.interview.test_browser import intake

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(fake_llm):
    return {"OPENAI_BASE_URL": fake_llm.url, "OPENAI_API_KEY": "sk-test", "FRANKO_LLM_MODEL": "test-model",
            "FRANKO_LLM_TIMEOUT": 5}


@pytest.fixture
def setup_live(live_server):
    with live_server.app.app_context():
        return make_setup()


def user_messages(live_server) -> list[str]:
    with live_server.app.app_context():
        (response,) = db.session.scalars(db.select(ChatResponse)).all()
        return [m["content"] for m in response.conversation if m["role"] == "user"]


def bubbles(page, n: int) -> None:
    page.wait_for_function("n => document.querySelectorAll('#messages .chat-bubble:not(.typing-indicator)').length === n"
                           " && !document.querySelector('#answer-form [type=submit]')?.disabled", arg=n)


def test_progress_and_focus(live_server, setup_live, page):
    intake(page, live_server, setup_live)
    assert page.locator("#progress-text").inner_text() == f"Question 1 of {len(QUESTIONS)}"
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'answer'")  # focus in the box
    page.get_by_label("Your answer").fill("We bake bread for forty cafés in Leeds.")
    page.get_by_role("button", name="Send").click()
    bubbles(page, 3)
    assert page.locator("#messages .chat-bubble").last.inner_text() == f"LLM thanks you. {QUESTIONS[1]}"
    assert page.locator("#progress-text").inner_text() == f"Question 2 of {len(QUESTIONS)}"
    assert page.evaluate("document.activeElement.name") == "answer"  # back in the box for the next answer
    screenshot(page, "interview-stream-progress")


def test_one_send_per_answer_however_the_keys_are_pressed(live_server, setup_live, page, fake_llm):
    fake_llm.delay = 0.1
    intake(page, live_server, setup_live)
    box = page.get_by_label("Your answer")
    box.fill("We bake bread for forty cafés in Leeds.")
    page.evaluate("document.getElementById('answer-form').requestSubmit();"
                  "document.getElementById('answer-form').requestSubmit()")  # two sends in the same instant
    # While the reply is on its way, the next answer typed and sent by every key is held back.
    box.type("Flour prices")
    box.press("Control+Enter")
    box.press("Control+Enter")
    page.get_by_role("button", name="Send").click(force=True)
    page.evaluate("document.getElementById('answer-form').requestSubmit()")
    bubbles(page, 3)
    assert user_messages(live_server) == ["We bake bread for forty cafés in Leeds."]
    assert page.locator("#messages .chat-bubble.interviewee").count() == 1
    assert box.input_value() == "Flour prices"  # held, not lost: sent with the next press
    box.press("Control+Enter")
    bubbles(page, 5)
    assert user_messages(live_server) == ["We bake bread for forty cafés in Leeds.", "Flour prices"]


def test_typed_text_is_kept_while_the_reply_streams(live_server, setup_live, page, fake_llm):
    fake_llm.delay = 0.15  # the reply streams over a couple of seconds
    intake(page, live_server, setup_live)
    box = page.get_by_label("Your answer")
    box.fill("We bake bread for forty cafés in Leeds.")
    page.get_by_role("button", name="Send").click()
    # The answer is shown at once, the reply streams in, and the box is free for the next answer.
    page.wait_for_function("() => (document.querySelector('#messages .chat-bubble.agent:last-child') || {}).textContent"
                           " && document.querySelector('#messages .chat-bubble.agent:last-child').textContent.length > 0"
                           " && document.querySelector('#answer-form [type=submit]').disabled")
    assert page.locator("#messages .chat-bubble.interviewee").last.inner_text() == "We bake bread for forty cafés in Leeds."
    box.type("Flour prices keep")
    screenshot(page, "interview-stream-typing")
    bubbles(page, 3)
    assert box.input_value() == "Flour prices keep"  # the reply did not clear what was typed meanwhile
    # A reload keeps the draft too.
    page.reload()
    assert page.get_by_label("Your answer").input_value() == "Flour prices keep"
    assert user_messages(live_server) == ["We bake bread for forty cafés in Leeds."]


def test_a_broken_stream_keeps_the_answer_and_shows_the_guides_question(live_server, setup_live, page, fake_llm):
    intake(page, live_server, setup_live)
    fake_llm.mode = "broken_stream"
    page.get_by_label("Your answer").fill("We bake bread for forty cafés in Leeds.")
    page.get_by_role("button", name="Send").click()
    bubbles(page, 3)
    # What was shown safely stays; the question the broken stream never finished is the guide's own.
    assert page.locator("#messages .chat-bubble").last.inner_text() == f"LLM thanks you.\n\n{QUESTIONS[1]}"
    assert user_messages(live_server) == ["We bake bread for forty cafés in Leeds."]
