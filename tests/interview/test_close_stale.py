"""`flask franko close-stale`: idle in-progress interviews become abandoned, nothing else changes."""
from datetime import timedelta

import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, utcnow
from tests.factories import make_response
from tests.interview.conftest import Interviewee


def age(app, response_id, minutes: int) -> None:
    """Pretend the response's last activity was `minutes` ago."""
    with app.app_context():
        db.session.execute(sa.update(ChatResponse).where(ChatResponse.id == response_id)
                           .values(updated_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()


def test_close_stale_marks_idle_interviews_abandoned(app, runner, setup):
    idle, fresh = Interviewee(app, setup.instance_id), Interviewee(app, setup.instance_id)
    idle.start(first_name="Idle")
    fresh.start(first_name="Fresh")
    with app.app_context():
        instance = db.session.get(ChatInstance, setup.instance_id)
        done = make_response(instance, status="completed")
        done_id = done.id
    age(app, idle.response_id, 61)
    age(app, done_id, 600)

    result = runner.invoke(args=["franko", "close-stale", "--minutes", "60"])
    assert result.exit_code == 0, result.output
    assert "1 stale interview marked abandoned" in result.output
    assert idle.stored().status == "abandoned"
    assert fresh.stored().status == "in_progress"
    with app.app_context():
        assert db.session.get(ChatResponse, done_id).status == "completed"

    # The interviewee who comes back finds the interview ended; an answer changes nothing.
    page = idle.chat().get_data(as_text=True)
    assert "This interview has ended" in page and 'name="answer"' not in page
    reply = idle.answer("Sorry, I was away for a while.", as_json=True)
    assert reply.get_json()["outcome"] == "closed" and len(idle.messages()) == 1

    again = runner.invoke(args=["franko", "close-stale", "--minutes", "60"])
    assert "0 stale interviews marked abandoned" in again.output


def test_close_stale_uses_the_configured_idle_time(app, runner, setup):
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    age(app, ada.response_id, app.config["FRANKO_STALE_INTERVIEW_MINUTES"] - 5)
    assert "0 stale" in runner.invoke(args=["franko", "close-stale"]).output
    age(app, ada.response_id, app.config["FRANKO_STALE_INTERVIEW_MINUTES"] + 5)
    assert "1 stale interview marked abandoned" in runner.invoke(args=["franko", "close-stale"]).output
    assert ada.stored().status == "abandoned"
