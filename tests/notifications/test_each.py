"""An email per completed response: after a real interview, through a real SMTP server, once, to verified owners."""
import uuid

from franko.extensions import db
from franko.insight_values import Summary
from franko.jobs import run_pending
from franko.models import ChatResponse, utcnow
from franko.notifications import jobs
from tests.factories import make_instance, make_response
from tests.interview.conftest import GUIDE
from tests.notifications.conftest import BASE, complete_interview, links, mail_down, make_owner, run


def owner_with_instance(app, **owner):
    with app.app_context():
        profile = make_owner(**owner)
        return profile.user_id, make_instance(profile, guide=GUIDE).id


def test_a_completed_interview_emails_the_owner_once(app, inbox):
    _, instance_id = owner_with_instance(app, mode="each")
    interviewee = complete_interview(app, instance_id, first_name="Grace")
    (message,) = inbox.messages
    assert message["to"] == ["owner@example.com"]
    assert message["subject"] == "New response: Grace Lovelace completed \"Customer discovery\""
    body = message["body"]
    assert "Grace Lovelace has completed the interview “Customer discovery”." in body
    assert "Questions answered: 3/3" in body and "Minutes: 1" in body
    assert f"{BASE}/responses/{interviewee.response_id}" in links(message)
    assert f"{BASE}/profile/notifications/" in links(message)
    assert interviewee.stored().notified_at is not None
    run(app, jobs.response_completed, str(interviewee.response_id))  # run twice (a retry, a replay): one email
    with app.app_context():
        jobs.response_completed.enqueue(str(interviewee.response_id))
        db.session.commit()  # queued with this commit (and, in tests, run when it commits)
    assert len(inbox.messages) == 1


def test_the_summary_and_its_quotes_are_in_the_email(app, inbox):
    _, instance_id = owner_with_instance(app, mode="each")
    with app.app_context():
        from franko.models import ChatInstance

        response = make_response(db.session.get(ChatInstance, instance_id), first_name="Ada", summary=Summary(
            "Ada runs a bakery and worries about flour prices.", ("I run a bakery.",), "offline", utcnow()))
        response_id = str(response.id)
    run(app, jobs.response_completed, response_id)
    (message,) = inbox.messages
    assert "Summary: Ada runs a bakery and worries about flour prices." in message["body"]
    assert "“I run a bakery.”" in message["body"]


def test_mode_off_or_daily_sends_no_email_per_response(app, inbox):
    for mode, email in (("off", "off@example.com"), ("daily", "daily@example.com")):
        _, instance_id = owner_with_instance(app, mode=mode, email=email)
        interviewee = complete_interview(app, instance_id)
        assert interviewee.stored().notified_at is None
    assert inbox.messages == []


def test_an_unverified_address_gets_no_email(app, inbox):
    _, instance_id = owner_with_instance(app, mode="each", verified=False)
    interviewee = complete_interview(app, instance_id)
    assert inbox.messages == []
    assert interviewee.stored().notified_at is None  # not claimed: nothing went out


def test_a_mail_server_that_is_down_delays_the_email_until_the_retry(app, inbox):
    _, instance_id = owner_with_instance(app, mode="each")
    port = mail_down(app)
    interviewee = complete_interview(app, instance_id)
    assert inbox.messages == []
    assert interviewee.stored().notified_at is None  # the claim was released: the retry may send it
    app.config["MAIL_PORT"] = port
    assert run_pending(app) >= 1
    (message,) = inbox.messages
    assert message["subject"].startswith("New response: Ada Lovelace")
    assert interviewee.stored().notified_at is not None
    run_pending(app)
    assert len(inbox.messages) == 1


def test_a_response_still_in_progress_or_gone_is_not_emailed(app, inbox):
    _, instance_id = owner_with_instance(app, mode="each")
    with app.app_context():
        from franko.models import ChatInstance

        response = make_response(db.session.get(ChatInstance, instance_id), status="in_progress")
        response_id = str(response.id)
    run(app, jobs.response_completed, response_id)
    run(app, jobs.response_completed, str(uuid.uuid4()))
    assert inbox.messages == []
    with app.app_context():
        assert db.session.get(ChatResponse, uuid.UUID(response_id)).notified_at is None


def test_a_typed_name_never_breaks_the_subject_line(app, inbox):
    _, instance_id = owner_with_instance(app, mode="each")
    with app.app_context():
        from franko.models import ChatInstance

        response_id = str(make_response(db.session.get(ChatInstance, instance_id), first_name="Ada\r\nBcc: x@evil").id)
    run(app, jobs.response_completed, response_id)
    (message,) = inbox.messages
    assert message["to"] == ["owner@example.com"]
    assert message["subject"] == "New response: Ada Bcc: x@evil completed \"Customer discovery\""


def test_an_email_the_server_accepted_before_its_worker_died_is_marked_and_not_sent_again(app, inbox):
    from franko.jobs import accepted
    from franko.notifications.services import notify_response

    _, instance_id = owner_with_instance(app, mode="each")
    with app.app_context():
        from franko.models import ChatInstance

        response_id = str(make_response(db.session.get(ChatInstance, instance_id), first_name="Ada").id)
        key = f"notify:{response_id}"
        accepted.remember(key)  # as the worker that got the 250 leaves it when killed before its commit
        assert notify_response(response_id) is False  # marked, not sent
        assert db.session.get(ChatResponse, uuid.UUID(response_id)).notified_at is not None
        assert not accepted.was_accepted(key)  # the file goes once the mark is committed
        assert notify_response(response_id) is False  # done: nothing more
    assert inbox.messages == []


def test_a_sent_email_leaves_nothing_behind_for_its_retry(app, inbox):
    from franko.jobs import accepted
    from franko.notifications.services import notify_response

    _, instance_id = owner_with_instance(app, mode="each")
    with app.app_context():
        from franko.models import ChatInstance

        response_id = str(make_response(db.session.get(ChatInstance, instance_id), first_name="Ada").id)
        assert notify_response(response_id) is True
        assert not accepted.was_accepted(f"notify:{response_id}")
    assert len(inbox.messages) == 1


def test_a_folder_it_cannot_write_never_keeps_the_email_from_its_mark(app, inbox, tmp_path):
    from franko.notifications.services import notify_response

    (tmp_path / "file").write_text("")
    app.config["FRANKO_ACCEPTED_DIR"] = str(tmp_path / "file" / "accepted")  # under a file: never a folder
    _, instance_id = owner_with_instance(app, mode="each")
    with app.app_context():
        from franko.models import ChatInstance

        response_id = str(make_response(db.session.get(ChatInstance, instance_id), first_name="Ada").id)
        assert notify_response(response_id) is True
        assert db.session.get(ChatResponse, uuid.UUID(response_id)).notified_at is not None
    assert len(inbox.messages) == 1
