"""The insight jobs: run twice, one effect; a real completed interview gets its summary and themes; the CLI."""
import json

from franko.extensions import db
from franko.insights.jobs import refresh_themes, summarize_response
from franko.interview.jobs import after_completion
from franko.models import ChatInstance, ChatResponse
from franko.jobs import run_pending
from tests.insights.conftest import add_interview
from tests.interview.conftest import Interviewee, make_setup


def snapshot(app, instance_id, response_ids):
    """What the jobs wrote, and the rows' updated_at (the jobs do not touch it)."""
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        responses = [db.session.get(ChatResponse, i) for i in response_ids]
        return (instance.themes, instance.updated_at, [(r.summary, r.updated_at) for r in responses])


def test_each_job_run_twice_has_one_effect(app, study):
    instance_id, ids = study
    with app.app_context():
        for response_id in ids.values():
            assert summarize_response(str(response_id)) == str(instance_id)
        refresh_themes(str(instance_id))
    first = snapshot(app, instance_id, ids.values())
    assert first[0] is not None and all(summary is not None for summary, _ in first[2])
    with app.app_context():
        for response_id in ids.values():
            summarize_response.enqueue(str(response_id))  # through the queue (immediate in tests)
            after_completion(str(response_id))  # the whole fan-out again
        refresh_themes(str(instance_id))
        run_pending()
    assert snapshot(app, instance_id, ids.values()) == first
    summary = first[2][0][0]
    assert len(set(summary.quotes)) == len(summary.quotes)


def test_with_the_model_a_second_run_asks_nothing(model_app, fake_model, study):
    instance_id, ids = study
    fake_model.reply = lambda body: json.dumps(
        {"summary": "A short interview about flour and deliveries.", "quotes": []}
        if body["messages"][0]["content"].startswith("You summarise")
        else {"themes": [{"label": "Flour", "words": ["flour prices"]}]})
    ada = str(ids["Ada"])
    with model_app.app_context():
        after_completion(ada)  # its summary, then the themes
    asked = len(fake_model.requests)
    assert asked == 2
    first = snapshot(model_app, instance_id, [ids["Ada"]])
    assert first[2][0][0].by == "model" and first[0].by == "model"
    with model_app.app_context():
        after_completion(ada)
    assert len(fake_model.requests) == asked
    assert snapshot(model_app, instance_id, [ids["Ada"]]) == first


def test_a_gone_response_or_instance_is_no_error(app):
    with app.app_context():
        assert summarize_response("00000000-0000-0000-0000-000000000000") is None
        refresh_themes("00000000-0000-0000-0000-000000000000")


def interview(app, instance_id, name, answers):
    person = Interviewee(app, instance_id)
    assert person.start(first_name=name).status_code == 302
    for answer in answers:
        assert person.answer(answer).status_code in (200, 302)
    return person


def test_completing_interviews_through_the_public_pages_stores_summaries_and_themes(app):
    with app.app_context():
        setup = make_setup()
    ada = interview(app, setup.instance_id, "Ada", [
        "I bake sourdough bread for cafés.", "Flour prices keep rising every single month.",
        "A cheaper flour supplier would help us."])
    ben = interview(app, setup.instance_id, "Ben", [
        "We run a small pastry shop.", "Flour prices doubled since last spring for us.",
        "Someone to share flour orders with."])
    stored = ada.stored()
    assert stored.status == "completed"
    assert stored.summary is not None and stored.summary.by == "offline"
    assert stored.summary.text.startswith("Answered 3 of 3 questions")
    answers = [m["content"] for m in ada.messages() if m["role"] == "user"]
    assert stored.summary.quotes and all(any(q in a for a in answers) for q in stored.summary.quotes)
    with app.app_context():
        themes = db.session.get(ChatInstance, setup.instance_id).themes
    assert themes.responses == 2
    flour = next(t for t in themes.themes if t.label == "flour prices")
    assert set(flour.response_ids) == {str(ada.response_id), str(ben.response_id)}


def test_the_cli_queues_missing_summaries_and_the_themes(app, study):
    instance_id, ids = study
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        other = add_interview(instance, "Zed", ["Nothing to add here at all."], status="in_progress").id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["franko", "insights", "--missing", "--instance", str(instance_id)])
    assert result.exit_code == 0, result.output
    assert "5 summaries and the themes of 1 instance queued." in result.output
    first = snapshot(app, instance_id, ids.values())
    assert first[0] is not None and all(summary is not None for summary, _ in first[2])
    with app.app_context():
        assert db.session.get(ChatResponse, other).summary is None  # in progress: no summary yet
    again = runner.invoke(args=["franko", "insights", "--missing"])
    assert "0 summaries and the themes of 0 instances queued." in again.output
    assert snapshot(app, instance_id, ids.values()) == first
