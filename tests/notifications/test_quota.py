"""Quota emails: once at 80% and once at 100% of the period's allowance; a new period or a grant lets them fire again."""
from franko import plans
from franko.extensions import db
from franko.models import Profile
from franko.notifications import jobs
from tests.factories import make_instance
from tests.interview.conftest import GUIDE, Interviewee
from tests.notifications.conftest import BASE, links, mail_down, make_owner, run

EIGHTY = "You have used 80% of your Franko responses this period"
FULL = "You have used all your Franko responses this period"


def owner_at(app, used: int, available: int, **fields):
    """A free owner (quota 10) with `used` responses charged and `available` left; returns (user_id, instance_id)."""
    with app.app_context():
        owner = make_owner(total_responses_used_this_month=used, total_responses_used=used,
                           total_responses_available=available, **fields)
        return owner.user_id, make_instance(owner, guide=GUIDE).id


def started(app, instance_id) -> Interviewee:
    interviewee = Interviewee(app, instance_id)
    assert interviewee.start().status_code == 302
    return interviewee


def first_answer(app, instance_id, interviewee=None) -> Interviewee:
    """An interviewee (started now, unless given) gives a first answer: the owner is charged, or has no credit left."""
    interviewee = interviewee or started(app, instance_id)
    interviewee.answer("I run a small bakery with five people.")
    return interviewee


def level(app, user_id) -> int:
    with app.app_context():
        return db.session.get(Profile, user_id).quota_notice_level


def subjects(inbox) -> list[str]:
    return [m["subject"] for m in inbox.messages]


def test_80_then_100_percent_each_email_once(app, inbox):
    user_id, instance_id = owner_at(app, used=7, available=3)
    first_answer(app, instance_id)  # 8 of 10
    assert subjects(inbox) == [EIGHTY]
    body = inbox.messages[0]["body"]
    assert "used 8 of its 10 responses this period (80%)" in body and "2 remain until" in body
    assert f"{BASE}/billing/" in links(inbox.messages[0])
    first_answer(app, instance_id)  # 9 of 10: still the 80% level
    assert subjects(inbox) == [EIGHTY]
    late = started(app, instance_id)  # started while one response was left
    first_answer(app, instance_id)  # 10 of 10
    assert subjects(inbox) == [EIGHTY, FULL]
    assert "used all 10 responses of this period" in inbox.messages[1]["body"]
    assert first_answer(app, instance_id, late).stored().status == "abandoned"  # no credit: the check runs again
    run(app, jobs.check_quota, user_id)  # and the job run twice
    assert subjects(inbox) == [EIGHTY, FULL]
    assert level(app, user_id) == 100


def test_a_jump_past_both_levels_sends_only_the_100_percent_email(app, inbox):
    user_id, _ = owner_at(app, used=10, available=0)
    run(app, jobs.check_quota, user_id)
    run(app, jobs.check_quota, user_id)
    assert subjects(inbox) == [FULL]


def test_a_new_period_resets_the_level(app, inbox, runner):
    user_id, instance_id = owner_at(app, used=10, available=0, quota_notice_level=100)
    assert runner.invoke(args=["franko", "reset-monthly-usage"]).exit_code == 0
    assert level(app, user_id) == 0
    with app.app_context():
        for _ in range(7):
            plans.charge_response(user_id)
        db.session.commit()
    first_answer(app, instance_id)  # 8 of 10 in the new period: the warning goes out again
    assert subjects(inbox) == [EIGHTY]
    with app.app_context():
        assert plans.change_plan(user_id, "starter", new_period=True) is plans.Change.CHANGED
        db.session.commit()
    assert level(app, user_id) == 0


def test_a_grant_below_the_level_lowers_it_silently_so_it_can_fire_again(app, inbox):
    user_id, instance_id = owner_at(app, used=10, available=0)
    run(app, jobs.check_quota, user_id)
    assert subjects(inbox) == [FULL]
    with app.app_context():
        assert plans.grant(user_id, 10) == 10  # 10 of 20: 50%
        db.session.commit()
    assert level(app, user_id) == 0
    run(app, jobs.check_quota, user_id)
    assert subjects(inbox) == [FULL]  # lowering sends nothing
    with app.app_context():
        for _ in range(5):
            plans.charge_response(user_id)
        db.session.commit()
    first_answer(app, instance_id)  # 16 of 20
    assert subjects(inbox) == [FULL, EIGHTY]


def test_a_small_grant_keeps_the_80_percent_level(app, inbox):
    user_id, _ = owner_at(app, used=10, available=0, quota_notice_level=100)
    with app.app_context():
        plans.grant(user_id, 1)  # 10 of 11: 91%
        db.session.commit()
    assert level(app, user_id) == 80
    run(app, jobs.check_quota, user_id)
    assert inbox.messages == []


def test_an_unverified_owner_gets_no_quota_email(app, inbox):
    user_id, _ = owner_at(app, used=10, available=0, verified=False)
    run(app, jobs.check_quota, user_id)
    assert inbox.messages == [] and level(app, user_id) == 0


def test_a_mail_server_that_is_down_delays_the_quota_email_until_the_retry(app, inbox):
    from franko.jobs import run_pending

    user_id, _ = owner_at(app, used=10, available=0)
    port = mail_down(app)
    with app.app_context():
        jobs.check_quota.enqueue(user_id)
        db.session.commit()  # queued with this commit; in tests it also runs then, and fails
    assert inbox.messages == [] and level(app, user_id) == 0  # released
    app.config["MAIL_PORT"] = port
    assert run_pending(app) == 1
    assert subjects(inbox) == [FULL] and level(app, user_id) == 100
