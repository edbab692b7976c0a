"""Deleting an organisation end to end: the emailed confirmation, the Stripe subscription cancelled at the local fake,
then a scan of every table of the database finding the person's name, email and answers nowhere; the email released."""
import json
import re
import warnings

import sqlalchemy as sa

from franko.audit.models import AuditEntry
from franko.extensions import db
from franko.jobs.models import QueuedJob
from franko.models import LegacyArchive, Profile, StripeEvent, utcnow
from franko.ownerdata.models import OrganisationDeletion
from tests.conftest import email_link
from tests.factories import make_instance, make_profile, make_response
from tests.ownerdata.conftest import ANSWERS, INTERVIEWEE, OWNER, fill_organisation

NEEDLES = ["owner@example.com", OWNER["first_name"], OWNER["second_name"], OWNER["organisation_name"], "zanzibarquokka",
           INTERVIEWEE["first_name"], INTERVIEWEE["second_name"], INTERVIEWEE["email"], "Pendlebury", "grumbleweed",
           "cus_quokka", "sub_quokka"]


def scan(app, needles) -> dict[str, list[str]]:
    """Every table of the database (as reflected, not the models), every column's value as text: where each needle is."""
    found: dict[str, list[str]] = {}
    with app.app_context():
        engine = db.engine
        metadata = sa.MetaData()
        with warnings.catch_warnings():  # SQLite cannot reflect the expression index on lower(email): not needed here
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            metadata.reflect(engine)
        assert set(db.metadata.tables) <= set(metadata.tables)  # every table of the models (and any other)
        with engine.connect() as conn:
            for table in metadata.tables.values():
                for row in conn.execute(sa.select(table)):
                    for column, value in zip(table.columns, row):
                        if value is None:
                            continue
                        text = value.decode("utf-8", "replace") if isinstance(value, (bytes, memoryview)) \
                            else json.dumps(value, default=str) if isinstance(value, (dict, list)) else str(value)
                        text = text.lower()
                        for needle in needles:
                            if needle.lower() in text:
                                found.setdefault(needle, []).append(f"{table.name}.{column.name}")
    return found


def seed_leftovers(app, user_id: str) -> None:
    """What else may name the account: a failed job with its address, a Stripe event, the upgrade's archived row."""
    with app.app_context():
        db.session.add(QueuedJob(name="franko.mail.jobs.deliver_email", status="failed", max_attempts=1, retry_delay=10,
                                 run_at=utcnow(), args=json.dumps(["owner@example.com", "Hello Zebulon", "Dear Zebulon Quartermaine"])))
        db.session.add(QueuedJob(name="franko.mail.jobs.deliver_email", status="waiting", max_attempts=1, retry_delay=10,
                                 run_at=utcnow(), args=json.dumps([INTERVIEWEE["email"], "Your interview",
                                                                   "Dear Wilhelmina, here is your transcript"])))
        db.session.add(StripeEvent(id="evt_quokka", type="invoice.paid", stripe_customer_id="cus_quokka",
                                   event_created=1))
        db.session.add(LegacyArchive(source_table="User", source_pk="legacy-1",
                                     row_json=json.dumps({"id": "legacy-1", "email": "OWNER@example.com"})))
        db.session.commit()


def other_organisation(app) -> str:
    with app.app_context():
        other = make_profile(email="neighbour@example.com", first_name="Nora")
        instance = make_instance(other, guide="# Their study\n- What?")
        make_response(instance, first_name="Otto")
        return other.user_id


def test_the_organisation_is_deleted_everywhere_and_its_email_released(app, client, auth, owner, receiver, fake_stripe):
    org = fill_organisation(app, owner, receiver)
    seed_leftovers(app, owner)
    neighbour = other_organisation(app)
    client.post("/profile/data/export")  # an archive (the whole organisation, as bytes) exists too
    before = scan(app, NEEDLES)
    assert set(before) == set(NEEDLES), set(NEEDLES) - set(before)  # the scan finds each before: it can fail
    assert {"chat_responses.messages_json", "webhook_deliveries.body", "legacy_archive.row_json", "jobs.args"} <= \
        {where for places in before.values() for where in places}

    assert client.post("/profile/data/delete").status_code == 303  # asks: a link goes to the account's address
    link = email_link(app, "owner@example.com")
    assert link.startswith("/profile/data/delete/")
    assert fake_stripe.requests == []  # nothing happened yet
    page = client.get(link)
    assert page.status_code == 200 and b"Delete the organisation for good" in page.data
    assert client.post(link, data={}).status_code == 200  # the box not ticked: nothing deleted
    with app.app_context():
        assert db.session.get(Profile, owner) is not None
    reply = client.post(link, data={"understood": "y"})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/")

    [cancel] = [r for r in fake_stripe.requests if r.get("method") == "DELETE"]
    assert cancel["path"] == "/v1/subscriptions/sub_quokka"
    assert cancel["headers"]["Authorization"] == "Bearer sk_test_franko"
    assert scan(app, NEEDLES) == {}
    assert client.get("/profile/data/").status_code == 302  # logged out: to the login page
    with app.app_context():
        [record] = db.session.scalars(sa.select(OrganisationDeletion)).all()
        assert (record.plan, record.instances, record.responses, record.subscription_cancelled) == \
            ("starter", 1, 1, True)
        assert owner not in record.reference and len(record.reference) == 32
        deleted = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "organisation.deleted")).one()
        assert deleted.detail == {"instances": 1, "responses": 1, "subscription_cancelled": True}
        assert deleted.owner_id is None and deleted.actor_id is None
        # The owner's earlier lines stay, unattributed (their accounts SET NULL), naming no one.
        actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["export.requested", "organisation.deletion_requested", "organisation.deleted"]
        assert db.session.get(Profile, neighbour) is not None  # another organisation is untouched
        assert scan(app, ["neighbour@example.com", "Nora", "Otto"]).keys() == {"neighbour@example.com", "Nora", "Otto"}
    assert org.response_id

    # The email is free again: the same address signs up anew, as a new account.
    fresh = app.test_client()
    from tests.conftest import AuthActions
    assert AuthActions(fresh).signup(email="owner@example.com").status_code == 302
    with app.app_context():
        again = db.session.scalar(sa.select(Profile).where(Profile.email == "owner@example.com"))
        assert again is not None and again.user_id != owner and again.membership == "free"


def test_a_stripe_failure_deletes_nothing_and_a_subscription_stripe_lost_is_no_obstacle(app, client, owner, receiver,
                                                                                        fake_stripe):
    fill_organisation(app, owner, receiver)
    client.post("/profile/data/delete")
    link = email_link(app, "owner@example.com")
    fake_stripe.fail_with = 500
    reply = client.post(link, data={"understood": "y"})
    assert reply.status_code == 409 and b"nothing was deleted" in reply.data
    assert set(scan(app, NEEDLES)) >= {"owner@example.com", "zanzibarquokka"}
    fake_stripe.fail_with = None
    fake_stripe.cancelled.append("sub_quokka")  # cancelled at Stripe already (a 404 resource_missing now)
    assert client.post(link, data={"understood": "y"}).status_code == 303
    assert scan(app, NEEDLES) == {}


def test_the_link_is_for_its_account_only_and_expires(app, client, owner, receiver):
    from tests.factories import log_in

    fill_organisation(app, owner, receiver)
    client.post("/profile/data/delete")
    link = email_link(app, "owner@example.com")
    with app.app_context():
        someone = make_profile(email="someone@example.com").user_id
    other = app.test_client()
    log_in(other, someone)
    assert other.post(link, data={"understood": "y"}).status_code == 404
    assert other.get(link).status_code == 404
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/profile/data/delete/{token[:-2]}xy").status_code == 404
    with app.app_context():  # a changed email voids the link
        profile = db.session.get(Profile, owner)
        profile.email = "changed@example.com"
        db.session.commit()
    assert client.get(link).status_code == 404
    with app.app_context():
        db.session.get(Profile, owner).email = "owner@example.com"
        db.session.commit()
    assert client.get(link).status_code == 200
    app.config["FRANKO_DELETE_LINK_MAX_AGE"] = -1
    assert b"expired" in client.get(link).data
    assert client.post(link, data={"understood": "y"}).status_code == 404
    with app.app_context():
        assert db.session.get(Profile, owner) is not None and utcnow()
    assert re.match(r"^/profile/data/delete/[\w.-]+$", link)


def test_admins_see_the_record_without_personal_data(app, client, auth, owner, receiver):
    fill_organisation(app, owner, receiver)
    client.post("/profile/data/delete")
    client.post(email_link(app, "owner@example.com"), data={"understood": "y"})
    admin = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(admin).signup(email="admin@example.com")
    AuthActions(admin).verify("admin@example.com")
    page = admin.get("/admin/deletions")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "starter" in text and "yes" in text
    assert not any(n.lower() in text.lower() for n in NEEDLES)
    owner_client = app.test_client()
    with app.app_context():
        plain = make_profile(email="plain@example.com").user_id
    from tests.factories import log_in
    log_in(owner_client, plain)
    assert owner_client.get("/admin/deletions").status_code == 403
