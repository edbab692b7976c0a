"""Accounting as an admin and an owner meet it: grants and plan changes combine, bars agree, counters never NULL."""
import pytest
import sqlalchemy as sa

from franko import plans
from franko.extensions import db
from franko.models import Profile
from tests.factories import make_profile

ADMIN = "admin@example.com"


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": [ADMIN]}


@pytest.fixture
def admin(app, auth):
    auth.signup(email=ADMIN)
    auth.verify(ADMIN)  # admin rights need the address verified


@pytest.fixture
def used_up(app, admin):
    """A free organisation with its 10 responses used."""
    with app.app_context():
        return make_profile(email="org@example.com", total_responses_used_this_month=10,
                            total_responses_available=0, total_responses_used=10).user_id


def numbers(app, user_id):
    with app.app_context():
        p = db.session.get(Profile, user_id)
        return p.membership, p.total_responses_used_this_month, p.total_responses_available, p.monthly_responses_quota


def test_a_grant_survives_a_plan_change(client, used_up, app):
    client.post(f"/admin/orgs/{used_up}/credits", data={"amount": "5"})
    assert numbers(app, used_up) == ("free", 10, 5, 10)
    client.post(f"/admin/orgs/{used_up}/plan", data={"plan": "starter"})
    assert numbers(app, used_up) == ("starter", 10, 95, 100)  # 100 - 10 used + 5 granted
    client.post(f"/admin/orgs/{used_up}/plan", data={"plan": "free"})
    assert numbers(app, used_up) == ("free", 10, 5, 10)  # back down: the grant is still there


def test_a_downgrade_never_takes_the_balance_below_zero(client, app, admin):
    with app.app_context():
        user_id = make_profile(plan="pro", total_responses_used_this_month=900, total_responses_available=100).user_id
    client.post(f"/admin/orgs/{user_id}/plan", data={"plan": "free"})
    assert numbers(app, user_id) == ("free", 900, 0, 10)


def test_resubmitting_the_same_plan_changes_nothing_and_says_so(client, used_up, app):
    with app.app_context():
        before = db.session.get(Profile, used_up).updated_at
    response = client.post(f"/admin/orgs/{used_up}/plan", data={"plan": "free"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Already on the free plan: nothing changed." in page and "Plan changed" not in page
    with app.app_context():
        assert db.session.get(Profile, used_up).updated_at == before
    assert numbers(app, used_up) == ("free", 10, 0, 10)


def test_the_same_plan_with_a_new_period_starts_the_period(client, used_up, app):
    client.post(f"/admin/orgs/{used_up}/plan", data={"plan": "free", "new_period": "y"})
    assert numbers(app, used_up) == ("free", 0, 10, 10)


def test_after_a_grant_the_bar_and_the_numbers_agree(client, used_up, app):
    client.post(f"/admin/orgs/{used_up}/credits", data={"amount": "5"})
    page = client.get(f"/admin/orgs/{used_up}").get_data(as_text=True)
    bar = page.split('data-testid="usage"')[1].split("</dl>")[0]
    assert "10 / 15" in bar and 'aria-valuemax="15"' in bar and 'data-level="ok"' in bar  # 67%: not red
    assert "bg-danger" not in bar
    assert '<dd class="col-6" data-testid="available">5</dd>' in page
    assert '<dd class="col-6" data-testid="allowance">10 + 5</dd>' in page


def test_the_plan_selector_is_a_select(client, used_up):
    page = client.get(f"/admin/orgs/{used_up}").get_data(as_text=True)
    assert '<select class="form-select" id="plan" name="plan">' in page
    assert '<option selected value="free">Free</option>' in page


@pytest.mark.parametrize("column", ["total_responses_used", "total_responses_used_this_month",
                                    "total_responses_available", "monthly_responses_quota",
                                    "total_chat_instances_used", "total_chat_instances_available"])
def test_counters_are_never_null(ctx, column):
    user_id = make_profile().user_id
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Profile).where(Profile.user_id == user_id).values({column: None}))
        db.session.flush()
    db.session.rollback()


def test_plans_are_one_type(ctx):
    assert [plan.name for plan in plans.all_plans()] == [plans.PlanName.FREE, plans.PlanName.STARTER, plans.PlanName.PRO]
    assert plans.plan_for_price("price_pro_test").name is plans.PlanName.PRO
    with pytest.raises(ValueError):
        plans.get_plan("platinum")


def test_usage_levels_at_80_and_100_percent(ctx):
    from datetime import datetime

    end = datetime(2026, 12, 1)
    assert plans.Usage(7, 3, 10, end).level == "ok"
    assert plans.Usage(8, 2, 10, end).level == "high"
    assert plans.Usage(10, 0, 10, end).level == "full"
    assert plans.Usage(10, 5, 10, end).level == "ok"  # a grant widens the allowance


def test_the_quota_notice_level_at_80_and_100_percent(ctx):
    from datetime import datetime

    end = datetime(2026, 12, 1)
    assert [plans.Usage(used, 10 - used, 10, end).notice_level for used in (0, 7, 8, 9, 10)] == [0, 0, 80, 80, 100]
    assert plans.Usage(10, 5, 10, end).notice_level == 0  # a grant widens the allowance
    assert plans.Usage(0, 0, 0, end).notice_level == 0  # no quota at all: nothing to warn about


def test_an_upgrade_lowers_the_quota_notice_level_and_a_new_period_resets_it(ctx):
    user_id = make_profile(total_responses_used_this_month=10, total_responses_available=0,
                           quota_notice_level=100).user_id
    assert plans.change_plan(user_id, "starter") is plans.Change.CHANGED  # 10 of 100
    db.session.commit()
    assert db.session.get(Profile, user_id, populate_existing=True).quota_notice_level == 0
    db.session.execute(sa.update(Profile).where(Profile.user_id == user_id).values(quota_notice_level=80))
    assert plans.start_new_period(Profile.user_id == user_id) == 1
    db.session.commit()
    assert db.session.get(Profile, user_id, populate_existing=True).quota_notice_level == 0


def test_forecast_at_the_current_pace(ctx):
    from datetime import datetime

    u = plans.Usage(5, 5, 10, datetime(2026, 12, 1))
    assert u.forecast(datetime(2026, 11, 16)) == 10  # half of November gone, 5 used: 10 by the end
    assert u.forecast(datetime(2026, 11, 1)) == 5  # nothing elapsed yet: what is used
