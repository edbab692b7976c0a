"""`flask franko reset-monthly-usage` and `flask franko set-plan`."""
import sqlalchemy as sa
from sqlalchemy import event

from franko.extensions import db
from franko.models import Profile
from tests.factories import make_profile


def counters(user_id: str) -> tuple:
    db.session.expire_all()
    p = db.session.get(Profile, user_id)
    return p.membership, p.total_responses_used_this_month, p.total_responses_available, p.monthly_responses_quota


def test_reset_monthly_usage_resets_free_accounts_only_in_one_update(ctx, runner):
    free = [make_profile(total_responses_used_this_month=n, total_responses_available=10 - n).user_id for n in (3, 10)]
    legacy = make_profile(monthly_responses_quota=25, total_responses_used_this_month=25,
                          total_responses_available=0).user_id
    paid = make_profile(plan="starter", total_responses_used_this_month=40, total_responses_available=60).user_id
    statements = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = runner.invoke(args=["franko", "reset-monthly-usage"])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert result.exit_code == 0, result.output
    assert "New period started for 3 free account(s)." in result.output
    assert [s.split()[0] for s in statements if s.split()[0] in ("UPDATE", "SELECT", "INSERT")] == ["UPDATE"]
    assert all(counters(u)[1:3] == (0, 10) for u in free)
    assert counters(legacy)[1:] == (0, 25, 25)  # each account's own quota
    assert counters(paid) == ("starter", 40, 60, 100)  # Stripe's invoice.paid resets paid plans


def test_set_plan_by_email_case_insensitively(ctx, runner):
    user_id = make_profile(email="Boss@Example.com", total_responses_used_this_month=4,
                           total_responses_available=6).user_id
    result = runner.invoke(args=["franko", "set-plan", "boss@example.COM", "pro"])
    assert result.exit_code == 0, result.output
    assert "free -> pro" in result.output
    assert counters(user_id) == ("pro", 4, 996, 1000)
    assert db.session.get(Profile, user_id).total_chat_instances_available == 50


def test_set_plan_by_user_id_with_a_new_period(ctx, runner):
    user_id = make_profile(plan="pro", total_responses_used_this_month=900, total_responses_available=100).user_id
    result = runner.invoke(args=["franko", "set-plan", user_id, "starter", "--new-period"])
    assert result.exit_code == 0, result.output
    assert counters(user_id) == ("starter", 0, 100, 100)


def test_set_plan_refuses_unknown_account_and_plan(ctx, runner):
    make_profile(email="a@example.com")
    missing = runner.invoke(args=["franko", "set-plan", "nobody@example.com", "pro"])
    assert missing.exit_code == 1 and "No account" in missing.output
    bad_plan = runner.invoke(args=["franko", "set-plan", "a@example.com", "platinum"])
    assert bad_plan.exit_code == 2
    assert db.session.scalar(sa.select(Profile.membership)) == "free"


def test_set_plan_to_the_same_plan_changes_nothing_and_says_so(runner, app):
    from tests.factories import make_profile

    with app.app_context():
        make_profile(email="same@example.com", plan="starter")
    result = runner.invoke(args=["franko", "set-plan", "same@example.com", "starter"])
    assert result.exit_code == 0 and "already on the starter plan: nothing changed" in result.output
