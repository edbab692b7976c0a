"""An answer posted twice (a browser or proxy retry after a lost response) is stored once (issue 18)."""
import re

import pytest

from tests.interview.conftest import QUESTIONS


def key_on(page: bytes) -> str:
    return re.search(rb'name="key" type="hidden" value="([^"]+)"', page).group(1).decode()


def test_the_chat_form_carries_a_new_key_for_each_answer(interviewee):
    interviewee.start()
    first = key_on(interviewee.chat().data)
    interviewee.answer("I bake bread for forty cafés", key=first)
    assert key_on(interviewee.chat().data) != first
    assert interviewee.messages()[-2]["key"] == first


@pytest.mark.parametrize("accept", [None, "application/json", "text/event-stream"])
def test_a_replayed_answer_returns_what_was_stored_and_stores_nothing(interviewee, accept):
    interviewee.start()
    headers = {"Accept": accept} if accept else {}
    first = interviewee.answer("I bake bread for forty cafés", key="k-1", headers=headers)
    first.get_data()  # a streamed reply is written (and stored) as it is read
    stored = interviewee.messages()
    again = interviewee.answer("I bake bread for forty cafés", key="k-1", headers=headers)
    assert interviewee.messages() == stored  # nothing more stored
    assert [m["content"] for m in stored if m["role"] == "user"] == ["I bake bread for forty cafés"]
    if accept is None:
        assert first.status_code == again.status_code == 302
    else:
        data = again.get_json()
        assert data["replayed"] is True and data["outcome"] == "answered"
        assert [m["content"] for m in data["messages"]] == ["I bake bread for forty cafés", QUESTIONS[1]]
        assert data["progress"] == {"question": 2, "total": 3, "done": False}


def test_answers_with_other_keys_are_new_answers(interviewee):
    interviewee.start()
    interviewee.answer("I bake bread for forty cafés", key="k-1")
    interviewee.answer("I bake bread for forty cafés", key="k-2")
    assert [m["content"] for m in interviewee.messages() if m["role"] == "user"] == ["I bake bread for forty cafés"] * 2


def test_a_replay_after_the_interview_completed_is_still_the_stored_outcome(interviewee):
    interviewee.start()
    for n, text in enumerate(["I bake bread for forty cafés", "Flour prices keep rising", "A second oven would help"]):
        interviewee.answer(text, key=f"k-{n}")
    again = interviewee.answer("A second oven would help", key="k-2", headers={"Accept": "application/json"}).get_json()
    assert again["replayed"] and again["finished"] and again["messages"][1]["content"].startswith("Thank you")
