"""The audit log: `record` writes into the caller's transaction; plan changes and grants write lines; who reads what."""
import pytest
import sqlalchemy as sa

from franko import audit
from franko.audit.models import AuditEntry
from franko.extensions import db
from franko.models import Profile
from tests.factories import make_profile


def entries(app, **where):
    with app.app_context():
        query = sa.select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        rows = db.session.scalars(query).all()
        return [(e.action, e.actor_id, e.owner_id, e.subject, e.detail) for e in rows]


def test_record_flushes_into_the_callers_transaction_and_never_commits(app):
    with app.app_context():
        owner = make_profile(email="o@example.com").user_id
        audit.record("export.requested", actor_id=owner, owner_id=owner, subject="archive", detail={"files": 3})
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1  # flushed: visible here
        db.session.rollback()  # the caller's change failed: its line goes with it
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
        audit.record("export.requested", owner_id=owner)
        db.session.commit()
    assert entries(app) == [("export.requested", None, owner, None, None)]


@pytest.mark.parametrize("action,detail", [("", None), ("x" * 65, None), ("ok", ["not", "a", "dict"])])
def test_record_refuses_a_bad_line(app, action, detail):
    with app.app_context(), pytest.raises(audit.AuditError):
        audit.record(action, detail=detail)


def test_deleting_an_account_keeps_its_lines_unattributed(app):
    with app.app_context():
        owner = make_profile(email="gone@example.com").user_id
        audit.record("organisation.deleted", actor_id=owner, owner_id=owner, detail={"responses": 2})
        db.session.commit()
        db.session.execute(sa.delete(Profile).where(Profile.user_id == owner))
        db.session.commit()
    assert entries(app) == [("organisation.deleted", None, None, None, {"responses": 2})]


def test_an_admins_grant_and_plan_change_are_audited_with_the_admin(client, app, admin):
    with app.app_context():
        org = make_profile(email="org@example.com").user_id
    assert client.post(f"/admin/orgs/{org}/credits", data={"amount": "25"}).status_code == 302
    assert client.post(f"/admin/orgs/{org}/plan", data={"plan": "pro"}).status_code == 302
    assert client.post(f"/admin/orgs/{org}/plan", data={"plan": "pro"}).status_code == 302  # unchanged: no line
    lines = entries(app, owner_id=org)
    assert lines == [
        ("admin.granted", admin, org, "25 responses", {"credits": 25, "available": 35}),
        ("plan.changed", admin, org, "plan pro", {"plan": "pro", "new_period": False, "via": "admin"}),
    ]


def test_the_cli_plan_change_is_audited_without_an_actor(app, runner):
    with app.app_context():
        org = make_profile(email="cli@example.com").user_id
    result = runner.invoke(args=["franko", "set-plan", "cli@example.com", "starter"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in runner.invoke(args=["franko", "set-plan", "cli@example.com", "starter"]).output
    assert [(a, actor, d["plan"], d["via"]) for a, actor, _, _, d in entries(app, owner_id=org)] == [
        ("plan.changed", None, "starter", "cli")]


def test_an_owner_reads_only_their_own_lines_paged(client, app, owner):
    with app.app_context():
        other = make_profile(email="other@example.com").user_id
        for n in range(4):
            audit.record("export.requested", actor_id=owner, owner_id=owner, subject=f"mine {n}")
        audit.record("export.requested", actor_id=other, owner_id=other, subject="theirs")
        db.session.commit()
    first = client.get("/profile/audit").get_data(as_text=True)
    assert "mine 3" in first and "mine 1" in first and "mine 0" not in first and "theirs" not in first
    second = client.get("/profile/audit?page=2").get_data(as_text=True)
    assert "mine 0" in second and "mine 3" not in second and "theirs" not in second


def test_admins_read_every_line_and_filter_by_action_others_get_403(client, app, admin, auth):
    with app.app_context():
        other = make_profile(email="other@example.com").user_id
        audit.record("retention.deleted", owner_id=other, subject="instance x", detail={"responses": 2})
        audit.record("export.requested", owner_id=admin, subject="archive")
        db.session.commit()
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "retention.deleted" in html and "other@example.com" in html and "archive" in html
    filtered = client.get("/admin/audit?action=retention.deleted").get_data(as_text=True)
    assert "instance x" in filtered and "archive" not in filtered.split("<tbody>")[1]
    auth.logout()
    assert client.get("/admin/audit").status_code == 302  # to the login page
    assert client.get("/profile/audit").status_code == 302
    auth.login("other@example.com")
    with app.app_context():
        profile = db.session.get(Profile, other)
        from franko.auth.passwords import hash_password

        profile.password_hash = hash_password("correct horse")
        db.session.commit()
    auth.login("other@example.com")
    assert client.get("/admin/audit").status_code == 403


def test_a_stripe_subscription_change_is_audited_once(app):
    """The Stripe webhook's plan changes (a new price, the subscription gone) write a line each, none when unchanged."""
    from franko.billing import webhook

    with app.app_context():
        owner = make_profile(email="subscriber@example.com", stripe_customer_id="cus_1", stripe_subscription_id="sub_1")
        subscription = {"id": "sub_1", "customer": "cus_1", "status": "active",
                        "items": {"data": [{"price": {"id": "price_pro_test"}}]}, "metadata": {}}
        event = {"id": "evt_1", "type": "customer.subscription.updated", "created": 1,
                 "data": {"object": subscription}}
        assert webhook.on_subscription_changed(event, subscription) == "plan pro"
        assert webhook.on_subscription_changed(dict(event, id="evt_2", created=2), subscription) == "plan pro"
        assert webhook.on_subscription_deleted(dict(event, id="evt_3", created=3), subscription) == "plan free"
        db.session.commit()
        user_id = owner.user_id
    assert [(a, actor, d["plan"], d["via"]) for a, actor, _, _, d in entries(app, owner_id=user_id)] == [
        ("plan.changed", None, "pro", "stripe"), ("plan.changed", None, "free", "stripe")]
