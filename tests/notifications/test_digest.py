"""The daily digest: once a day after FRANKO_DIGEST_HOUR, listing what completed since the last one, claimed once."""
from datetime import datetime, timedelta

from franko.extensions import db
from franko.jobs import run_pending
from franko.models import Profile, utcnow
from franko.notifications import jobs
from franko.notifications.services import due_digests
from tests.factories import make_instance, make_response
from tests.notifications.conftest import BASE, completed_at, links, mail_down, make_owner, run, signed_up

DAY = datetime(2026, 3, 10)  # FRANKO_DIGEST_HOUR is 8 (UTC) in these tests
AT_EIGHT = DAY.replace(hour=8)


def daily_owner(app, last_digest=AT_EIGHT - timedelta(days=1), **fields):
    """An owner in daily mode whose last digest went out at `last_digest`; returns (user_id, instance)."""
    with app.app_context():
        owner = make_owner(mode="daily", digest_sent_at=last_digest, **fields)
        instance = make_instance(owner, guide="# Bakery study\n- What do you bake?")
        db.session.expunge(instance)
        return owner.user_id, instance


def add_response(app, instance, when, name):
    with app.app_context():
        db.session.add(instance)
        response_id = completed_at(instance, when, name).id
        db.session.expunge(instance)
        return response_id


def digest_sent_at(app, user_id):
    with app.app_context():
        return db.session.get(Profile, user_id).digest_sent_at


def test_one_digest_lists_both_responses_and_a_second_run_sends_nothing(app, inbox):
    user_id, instance = daily_owner(app)
    first = add_response(app, instance, DAY.replace(hour=6), "Ada")
    second = add_response(app, instance, DAY.replace(hour=7, minute=30), "Grace")
    add_response(app, instance, AT_EIGHT - timedelta(days=1, minutes=5), "Before the last digest")
    with app.app_context():
        assert jobs.queue_digests(AT_EIGHT) == 1
        assert jobs.queue_digests(AT_EIGHT + timedelta(hours=1)) == 0  # the next hourly run: already sent
        run(app, jobs.send_digest, user_id, AT_EIGHT.isoformat())  # the same job again (a retry, a replay)
    (message,) = inbox.messages
    assert message["to"] == ["owner@example.com"]
    assert message["subject"] == "Your Franko digest: 2 new responses"
    body = message["body"]
    assert "2 responses completed since 09 Mar 2026, 08:00 UTC:" in body
    assert body.index("1. Ada — Bakery study") < body.index("2. Grace — Bakery study")
    assert "Before the last digest" not in body
    assert {f"{BASE}/responses/{first}", f"{BASE}/responses/{second}"} <= set(links(message))
    assert digest_sent_at(app, user_id) == AT_EIGHT


def test_the_next_day_lists_only_the_new_responses(app, inbox):
    user_id, instance = daily_owner(app)
    add_response(app, instance, DAY.replace(hour=7), "Ada")
    with app.app_context():
        jobs.queue_digests(AT_EIGHT)
    add_response(app, instance, DAY.replace(hour=12), "Grace")
    with app.app_context():
        assert jobs.queue_digests(AT_EIGHT + timedelta(days=1, minutes=5)) == 1
    first, second = inbox.messages
    assert "Ada" in first["body"] and "Grace" not in first["body"]
    assert second["subject"] == "Your Franko digest: 1 new response"
    assert "Grace" in second["body"] and "Ada" not in second["body"]


def test_no_new_response_means_no_email_but_the_day_is_claimed(app, inbox):
    user_id, _ = daily_owner(app)
    with app.app_context():
        assert jobs.queue_digests(AT_EIGHT) == 1
        assert jobs.queue_digests(AT_EIGHT + timedelta(hours=2)) == 0
    assert inbox.messages == []
    assert digest_sent_at(app, user_id) == AT_EIGHT


def test_nothing_is_due_before_the_digest_hour_nor_for_other_modes_or_unverified_addresses(app, inbox):
    user_id, instance = daily_owner(app)
    add_response(app, instance, DAY.replace(hour=6), "Ada")
    daily_owner(app, email="unverified@example.com", verified=False)
    with app.app_context():
        make_owner(mode="each", email="each@example.com")
        make_owner(mode="off", email="off@example.com")
        assert due_digests(AT_EIGHT - timedelta(minutes=1)) == []
        assert due_digests(AT_EIGHT) == [user_id]
    assert inbox.messages == []


def test_a_mail_server_that_is_down_delays_the_digest_until_the_retry(app, inbox):
    user_id, instance = daily_owner(app)
    add_response(app, instance, DAY.replace(hour=6), "Ada")
    port = mail_down(app)
    with app.app_context():
        jobs.queue_digests(AT_EIGHT)
    assert inbox.messages == []
    assert digest_sent_at(app, user_id) == AT_EIGHT - timedelta(days=1)  # released: the retry sends it
    app.config["MAIL_PORT"] = port
    assert run_pending(app) >= 1
    (message,) = inbox.messages
    assert "Ada" in message["body"]
    assert digest_sent_at(app, user_id) == AT_EIGHT


def test_the_cli_sends_the_due_digests_once(app, runner, inbox):
    app.config["FRANKO_DIGEST_HOUR"] = 0  # today's digest time has passed, whatever the hour now
    user_id, instance = daily_owner(app, last_digest=None)
    add_response(app, instance, utcnow() - timedelta(minutes=30), "Ada")
    with app.app_context():
        db.session.add(instance)
        make_response(instance, first_name="Two days ago", interview_start_time=utcnow() - timedelta(days=2))
    result = runner.invoke(args=["franko", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "1 digest sent, 0 owners with nothing new" in result.output
    assert "0 digests sent" in runner.invoke(args=["franko", "send-digests"]).output
    (message,) = inbox.messages
    assert "Ada" in message["body"] and "Two days ago" not in message["body"]  # a first digest covers a day


def test_choosing_the_digest_starts_its_window_then(app, client, auth, inbox):
    user_id = signed_up(app, auth, client, inbox)
    with app.app_context():
        instance = make_instance(db.session.get(Profile, user_id))
        db.session.expunge(instance)
    add_response(app, instance, utcnow() - timedelta(hours=2), "Before choosing")
    client.post("/profile/notifications/", data={"notify_mode": "daily"})
    chosen = digest_sent_at(app, user_id)
    assert chosen is not None and utcnow() - chosen < timedelta(minutes=5)
    add_response(app, instance, chosen + timedelta(seconds=1), "After choosing")
    with app.app_context():
        jobs.queue_digests(chosen.replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=1))
    (message,) = inbox.messages
    assert "After choosing" in message["body"] and "Before choosing" not in message["body"]
