"""Delivering webhooks to a real local receiver: signed, retried with backoff, logged once, replayed."""
import json
import uuid
from datetime import datetime

from franko.extensions import db
from franko.insight_values import Summary
from franko.interview.jobs import after_completion
from franko.jobs import run_pending
from franko.models import ChatInstance, WebhookDelivery
from franko.webhooks.jobs import deliver
from franko.webhooks.services import queue_event, replay
from franko.webhooks.signing import SignatureError, verify
from tests.conftest import free_port
from tests.factories import make_instance, make_profile, make_response
from tests.webhooks.conftest import deliveries, hook_up
from tests.webhooks.verifiers import openssl_verifies, readme_verify

SUMMARY = Summary("Ada runs a bakery; flour prices hurt.", ("I run a bakery.",), "offline", datetime(2026, 1, 1))


def completed_response(app, url: str | None, summary=SUMMARY) -> tuple[uuid.UUID, uuid.UUID, str | None]:
    """An owner's instance (with `url` as its webhook) and one completed response; (instance, response, secret)."""
    with app.app_context():
        owner = make_profile(email="hooked@example.com")
        instance = make_instance(owner, guide="# Bakery <study>\n- What do you do?")
        secret = hook_up(instance.id, url) if url else None
        response = make_response(instance, first_name="Ada", interviewee_second_name="Lovelace",
                                 interviewee_email="ada@example.com", guide_version=1, summary=summary)
        return instance.id, response.id, secret


def test_response_completed_is_sent_signed_and_verified_independently(app, receiver):
    instance_id, response_id, secret = completed_response(app, receiver.url)
    with app.app_context():
        queue_event("response.completed", str(response_id))
        db.session.commit()  # the delivery and its job, queued together
    [row] = deliveries(app)
    assert (row.status, row.attempts, row.response_code, row.error) == ("delivered", 1, 200, None)
    assert row.delivered_at is not None and row.url == receiver.url
    [got] = receiver.requests
    assert got.path == "/hooks/franko"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"] == "Franko-Webhooks"
    assert got.headers["Franko-Delivery"] == str(row.id)
    assert got.headers["Franko-Event"] == "response.completed"
    assert got.body == row.body.encode("utf-8")
    header = got.headers["Franko-Signature"]
    assert openssl_verifies(header, got.body, secret)
    assert readme_verify()(header, got.body, secret)
    assert verify(header, got.body, secret)
    # Another secret, or a changed body, does not verify.
    assert not openssl_verifies(header, got.body, secret + "x")
    assert not readme_verify()(header, got.body.replace(b"Ada", b"Eve"), secret)

    event = json.loads(got.body)
    assert event["id"] == str(row.id) and event["type"] == "response.completed"
    assert isinstance(event["created"], int)
    data = event["data"]
    assert data["response_id"] == str(response_id)
    assert data["instance"] == {"id": str(instance_id), "title": "Bakery <study>"}
    assert data["interviewee"] == {"first_name": "Ada", "second_name": "Lovelace", "email": "ada@example.com"}
    assert (data["status"], data["completion_status"], data["guide_version"], data["minutes"]) == \
        ("completed", "1/2", 1, 12)
    assert data["started_at"].endswith("Z") and data["ended_at"].endswith("Z")
    assert [(m["role"], m["content"]) for m in data["transcript"]["messages"]] == \
        [("agent", "What do you do?"), ("interviewee", "I run a bakery.")]
    assert all(m["at"].endswith("Z") for m in data["transcript"]["messages"])
    assert data["transcript"]["text"] == "Agent: What do you do?\nInterviewee: I run a bakery."
    assert data["summary"] == {"text": SUMMARY.text, "quotes": ["I run a bakery."]}


def test_receiver_failing_twice_gets_it_on_the_third_attempt(app, receiver):
    _, response_id, secret = completed_response(app, receiver.url, summary=None)
    receiver.answers = [500, 500]
    with app.app_context():
        queue_event("response.completed", str(response_id))
        db.session.commit()  # the delivery and its job, queued together
    [row] = deliveries(app)
    assert (row.status, row.attempts, row.response_code) == ("pending", 1, 500)
    assert row.error == "HTTP 500: receiver says no"
    assert json.loads(row.body)["data"]["summary"] is None

    run_pending(app)  # the retries, now rather than 30 s and 60 s later

    [row] = deliveries(app)
    assert (row.status, row.attempts, row.response_code, row.error) == ("delivered", 3, 200, None)
    assert len(receiver.requests) == 3
    assert {r.headers["Franko-Delivery"] for r in receiver.requests} == {str(row.id)}
    assert {r.body for r in receiver.requests} == {row.body.encode("utf-8")}
    assert all(openssl_verifies(r.headers["Franko-Signature"], r.body, secret) for r in receiver.requests)


def test_receiver_failing_for_good_marks_the_delivery_failed(app, receiver):
    _, response_id, _ = completed_response(app, receiver.url)
    receiver.answers = [503] * 20
    with app.app_context():
        queue_event("response.completed", str(response_id))
        db.session.commit()  # the delivery and its job, queued together
    run_pending(app)
    [row] = deliveries(app)
    assert (row.status, row.attempts, row.response_code) == ("failed", deliver.retries + 1, 503)
    assert len(receiver.requests) == deliver.retries + 1 == 7
    # Nothing is left to retry.
    assert run_pending(app) == 0 and len(receiver.requests) == 7


def test_unreachable_receiver_is_logged_with_the_reason(app):
    _, response_id, _ = completed_response(app, f"http://127.0.0.1:{free_port()}/gone")  # nobody listens there
    with app.app_context():
        queue_event("response.completed", str(response_id))
        db.session.commit()  # the delivery and its job, queued together
    [row] = deliveries(app)
    assert (row.status, row.attempts, row.response_code) == ("pending", 1, None)
    assert row.error.startswith("Could not connect")


def test_a_job_run_twice_sends_and_logs_once(app, receiver):
    _, response_id, _ = completed_response(app, receiver.url)
    with app.app_context():
        after_completion(str(response_id))
        after_completion(str(response_id))
        queue_event("response.completed", str(response_id))
        db.session.commit()  # the delivery and its job, queued together
    [row] = deliveries(app)
    with app.app_context():
        deliver(str(row.id))  # the delivery job itself, run again
    run_pending(app)
    assert len(receiver.requests) == 1
    assert [(r.status, r.attempts) for r in deliveries(app)] == [("delivered", 1)]


def test_an_instance_without_a_url_sends_nothing(app, receiver):
    _, response_id, _ = completed_response(app, None)
    with app.app_context():
        assert queue_event("response.completed", str(response_id)) is None
    assert deliveries(app) == [] and receiver.requests == []


def test_replay_sends_the_same_delivery_again_freshly_signed(app, receiver):
    instance_id, response_id, secret = completed_response(app, receiver.url)
    with app.app_context():
        queue_event("response.completed", str(response_id))
        db.session.commit()  # the delivery and its job, queued together
        row = db.session.scalar(db.select(WebhookDelivery))
        replay(row, db.session.get(ChatInstance, instance_id))
        db.session.commit()  # services flush; their caller commits
    [row] = deliveries(app)
    assert (row.status, row.attempts) == ("delivered", 1)
    first, second = receiver.requests
    assert first.body == second.body == row.body.encode("utf-8")
    assert first.headers["Franko-Delivery"] == second.headers["Franko-Delivery"] == str(row.id)
    assert openssl_verifies(second.headers["Franko-Signature"], second.body, secret)


def test_signing_verify_refuses_old_and_forged_signatures():
    from franko.webhooks.signing import new_secret, sign

    secret = new_secret()
    assert secret.startswith("whsec_") and len(secret) > 40
    body = b'{"id": "1"}'
    assert verify(sign(body, secret, 1_000_000), body, secret, now=1_000_100) == 1_000_000
    for header, now in [(sign(body, secret, 1_000_000), 1_000_301),  # too old
                        (sign(body, "whsec_other", 1_000_000), 1_000_000),  # another secret
                        ("t=1000000", 1_000_000), ("", 1_000_000), ("v1=abc", 1_000_000)]:
        try:
            verify(header, body, secret, now=now)
        except SignatureError:
            continue
        raise AssertionError(f"{header!r} was accepted")


def test_a_pending_delivery_whose_job_vanished_is_queued_again(app, receiver):
    """A delivery left pending with no job (e.g. lost with the queue before the outbox) is found and sent."""
    from datetime import timedelta

    import sqlalchemy as sa

    from franko.jobs.models import QueuedJob
    from franko.models import utcnow
    from franko.webhooks.jobs import requeue_stale_deliveries

    _, response_id, _ = completed_response(app, receiver.url)
    app.config["FRANKO_QUEUE_IMMEDIATE"] = False
    with app.app_context():
        queue_event("response.completed", str(response_id))
        db.session.commit()
        db.session.execute(sa.delete(QueuedJob))  # its job vanished
        db.session.execute(sa.update(WebhookDelivery).values(updated_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
        requeue_stale_deliveries()
        requeue_stale_deliveries()  # once: its new job holds the key
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QueuedJob)) == 1
    run_pending(app)
    assert [(r.status, r.attempts) for r in deliveries(app)] == [("delivered", 1)] and len(receiver.requests) == 1
