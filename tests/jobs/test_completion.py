"""A completed interview, end to end: one job written with the completion, then the summary, themes, the owner's email and the webhook.

The fan-out (`after_completion`) run twice, as a retry or a worker that died before acknowledging
would run it, has one effect: one email, one webhook request, one delivery row, the same summary.
"""
import json
import uuid

import pytest
import sqlalchemy as sa

from franko.extensions import db
from franko.interview.jobs import after_completion
from franko.jobs import run_pending
from franko.jobs.models import QueuedJob
from franko.models import ChatInstance, ChatResponse
from franko.webhooks.signing import verify
from tests.factories import make_instance
from tests.notifications.conftest import app_config, complete_interview, make_owner  # noqa: F401 — app_config: the SMTP server
from tests.webhooks.conftest import deliveries, hook_up, receiver  # noqa: F401 — the receiver fixture

GUIDE = "# Bakery study\n- What do you do?\n- What is hard about it?\n- What would help?"


@pytest.fixture
def hooked(app, receiver):  # noqa: F811
    with app.app_context():
        owner = make_owner("each", total_responses_available=10)
        instance = make_instance(owner, guide=GUIDE)
        secret = hook_up(instance.id, receiver.url)
        return instance.id, secret


def stored_summary(app, response_id):
    with app.app_context():
        return db.session.get(ChatResponse, response_id).summary


def test_a_completed_interview_is_summarised_emailed_and_posted_once_even_when_run_twice(app, smtp_server, receiver,  # noqa: F811
                                                                                         hooked):
    _, inbox = smtp_server
    instance_id, secret = hooked
    ada = complete_interview(app, instance_id)
    response_id = ada.response_id
    summary = stored_summary(app, response_id)
    assert summary is not None and summary.text and summary.by == "offline"
    with app.app_context():
        assert db.session.get(ChatInstance, instance_id).themes is not None
    emails = [m for m in inbox.messages if m["to"] == ["owner@example.com"]]
    assert len(emails) == 1 and "Ada" in emails[0]["subject"] + emails[0]["body"]
    (request,) = receiver.requests
    body = json.loads(request.body)
    assert body["type"] == "response.completed" and body["data"]["response_id"] == str(response_id)
    assert body["data"]["summary"] == {"text": summary.text, "quotes": list(summary.quotes)}
    verify(request.headers["Franko-Signature"], request.body, secret)

    with app.app_context():  # again, as a retry would
        after_completion(str(response_id))
    run_pending(app)
    assert stored_summary(app, response_id) == summary
    assert len([m for m in inbox.messages if m["to"] == ["owner@example.com"]]) == 1
    assert len(receiver.requests) == 1
    assert [d.status for d in deliveries(app)] == ["delivered"]


def test_the_completing_request_only_queues_the_work(app, smtp_server, receiver, hooked):  # noqa: F811
    """With a real queue (not run at once), completing an interview writes its job, in the same commit, for the worker."""
    _, inbox = smtp_server
    instance_id, _ = hooked
    app.config["FRANKO_QUEUE_IMMEDIATE"] = False
    ada = complete_interview(app, instance_id)
    assert stored_summary(app, ada.response_id) is None
    assert inbox.messages == [] and receiver.requests == []
    with app.app_context():
        queued = db.session.execute(sa.select(QueuedJob.name, QueuedJob.args)).all()
    assert (after_completion.name, f'["{ada.response_id}"]') in queued
    assert run_pending(app) >= 4  # the fan-out, then the email, the webhook and the themes
    assert stored_summary(app, ada.response_id) is not None
    assert len(receiver.requests) == 1 and len(inbox.messages) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QueuedJob)) == 0


def test_a_deleted_response_sets_off_nothing(app, smtp_server, receiver, hooked):  # noqa: F811
    _, inbox = smtp_server
    with app.app_context():
        after_completion(str(uuid.uuid4()))
    assert inbox.messages == [] and receiver.requests == []
