"""A response's summary: offline and by a local fake model; every quote verbatim from what the interviewee said."""
import json
import logging
import re

import pytest

from franko.extensions import db
from franko.insights.jobs import summarize_response
from franko.insights.summaries import NO_ANSWERS, Material, offline_summary
from franko.models import ChatResponse
from tests.factories import make_instance, make_profile
from tests.insights.conftest import GUIDE, INTERVIEWS, add_interview
from tests.insights.fake_llm import prompt_of

ADA = INTERVIEWS["Ada"]


def material(answers, **fields) -> Material:
    return Material(tuple(("interviewee", a) for a in answers), **fields)


def test_offline_summary_is_extractive_and_deterministic():
    summary = offline_summary(material(ADA, questions=("a", "b", "c"), minutes=7, answered=3))
    assert summary.text == "Answered 3 of 3 questions in 7 minutes. The answers were mostly about flour."
    assert summary.quotes == ("Flour prices went up again this spring.",
                              "Deliveries to the cafés are late when the van breaks down.",
                              "A cheaper flour supplier would help.")
    assert summary.by == "offline"
    assert offline_summary(material(ADA, questions=("a", "b", "c"), minutes=7, answered=3)).quotes == summary.quotes


def test_the_opening_counts_answered_and_skipped_questions_from_the_records(app):
    from tests.factories import agent_says as agent
    from tests.factories import interviewee_says as said
    from tests.factories import make_interview

    with app.app_context():
        instance = make_instance(make_profile(), guide=GUIDE)
        response = make_interview(instance, [
            agent(0), said(0, "I run a small bakery in Leeds."), agent(1, move="probe"), said(1, "Flour is dear."),
            agent(1), said(1, "Rather not say.", "refuse"), agent(2), said(2, "What do you mean?", "clarify"),
            agent(None, "Thanks!", move="close")], minutes=7)
        summarize_response(response.id)
        text = db.session.get(ChatResponse, response.id).summary.text
    # The probe wrongly tagged as question 2 does not count it answered: 1 answered, 1 skipped of 3.
    assert text.startswith("Answered 1 of 3 questions (1 skipped) in 7 minutes.")


def test_offline_quotes_are_verbatim_sentences_of_the_answers():
    answers = ["Honestly?  We  lose\nabout a third of our   orders to late vans, every single week.",
               "The vans are old. Our drivers quit because the vans break down and orders go out late!"]
    summary = offline_summary(material(answers))
    assert 2 <= len(summary.quotes) <= 3
    for quote in summary.quotes:
        assert any(quote in answer for answer in answers), quote
    assert summary.text.startswith("Gave 2 answers.")


def test_no_answer_no_quotes():
    summary = offline_summary(Material((("agent", "What do you do?"),)))
    assert (summary.text, summary.quotes) == (NO_ANSWERS, ())


def test_a_text_only_conversation_is_summarised_from_its_text(app):
    text = ("Interviewer: What do you bake?\nMaria: Sourdough loaves for three restaurants every morning.\n"
            "Interviewer: What is hard?\nMaria: The sourdough starter dies when the kitchen gets too cold.")
    with app.app_context():
        instance = make_instance(make_profile(), guide=GUIDE)
        response = add_interview(instance, "Maria", [])
        response.conversation = text  # stored as it is: a legacy text conversation
        response.total_interview_minutes = None
        db.session.commit()
        summarize_response(str(response.id))
        summary = db.session.get(ChatResponse, response.id).summary
    assert summary.text.startswith("An imported conversation of 17 words. The answers were mostly about sourdough.")
    assert set(summary.quotes) == {"Sourdough loaves for three restaurants every morning.",
                                   "The sourdough starter dies when the kitchen gets too cold."}


def summary_reply(quotes):
    def reply(body):
        system, _ = prompt_of(body)
        assert system.startswith("You summarise")
        return json.dumps({"summary": "The baker is squeezed  by flour prices\nand late vans.", "quotes": quotes})
    return reply


@pytest.fixture
def ada(model_app):
    with model_app.app_context():
        instance = make_instance(make_profile(), guide=GUIDE)
        answers = ["I run a small bakery in Leeds.",
                   "Flour prices went up\nagain this spring. We can’t pass it on to the cafés.", "A cheaper supplier."]
        return add_interview(instance, "Ada", answers).id


def stored_summary(app, response_id):
    with app.app_context():
        return db.session.get(ChatResponse, response_id).summary


def test_the_model_summary_keeps_only_verbatim_quotes_as_the_transcript_has_them(model_app, fake_model, ada):
    fake_model.reply = summary_reply([
        "Flour prices went up again this spring.",   # said, with a line break the model could not see
        "“We can't pass it on to the cafés.”",        # said, with a straight apostrophe and quotation marks
        "Our margins are gone and we will close.",    # never said: invented
    ])
    with model_app.app_context():
        summarize_response(str(ada))
    summary = stored_summary(model_app, ada)
    assert summary.by == "model"
    assert summary.text == "The baker is squeezed by flour prices and late vans."
    assert summary.quotes == ("Flour prices went up\nagain this spring.", "We can’t pass it on to the cafés.")
    system, user = prompt_of(fake_model.requests[0])
    assert "1. What do you do?" in user and "Interviewee: [1] I run a small bakery in Leeds." in user
    assert "<interview>\n" in user and "\n</interview>" in user, "the transcript is quoted as data"
    assert fake_model.requests[0]["response_format"] == {"type": "json_object"}


def test_invented_quotes_are_dropped_and_offline_quotes_top_up(model_app, fake_model, ada):
    fake_model.reply = summary_reply(["We are closing down next month.", "Leeds is the best city", 42])
    with model_app.app_context():
        summarize_response(str(ada))
    summary = stored_summary(model_app, ada)
    assert summary.by == "model"
    assert len(summary.quotes) == 2
    assert "We are closing down next month." not in summary.quotes
    answers = " ".join(["I run a small bakery in Leeds.", "Flour prices went up\nagain this spring.",
                        "We can’t pass it on to the cafés."])
    for quote in summary.quotes:
        assert quote in answers


@pytest.mark.parametrize("failure", ["error", "not json", "no summary"])
def test_a_failing_model_falls_back_to_the_offline_summary(model_app, fake_model, ada, caplog, failure):
    if failure == "error":
        fake_model.mode = "error"
    else:
        fake_model.reply = lambda body: "Sure! Here is a summary." if failure == "not json" else '{"quotes": []}'
    with caplog.at_level(logging.WARNING, logger="franko.insights.summaries"):
        with model_app.app_context():
            summarize_response(str(ada))
    summary = stored_summary(model_app, ada)
    assert summary.by == "offline"
    assert summary.text.startswith("Answered 3 of 3 questions")
    assert fake_model.requests, "the model was asked first"
    assert re.search(r"summary by the model failed", caplog.text)
