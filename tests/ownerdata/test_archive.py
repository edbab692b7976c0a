""""Download everything": the archive is built by a job, its link emailed; it holds everything and opens for its owner only."""
import csv
import io
import json
import zipfile

import sqlalchemy as sa

from franko.audit.models import AuditEntry
from franko.extensions import db
from franko.ownerdata.models import OwnerExport
from tests.conftest import email_link
from tests.factories import log_in, make_profile
from tests.ownerdata.conftest import ANSWERS, GUIDE, INTERVIEWEE, OWNER, fill_organisation

NAMES = {"README.txt", "profile.json", "instances.json", "guide_versions.json", "responses.json", "summaries.json",
         "themes.json", "webhook_deliveries.json"}


def audit_actions(app, user_id):
    with app.app_context():
        return [(e.action, e.actor_id, e.owner_id) for e in
                db.session.scalars(sa.select(AuditEntry).where(AuditEntry.owner_id == user_id).order_by(AuditEntry.id))]


def test_the_archive_holds_everything_and_is_emailed(app, client, owner, receiver):
    org = fill_organisation(app, owner, receiver)
    assert client.get("/profile/data/").status_code == 200
    reply = client.post("/profile/data/export")
    assert reply.status_code == 303
    link = email_link(app, "owner@example.com")  # the job ran at the commit (FRANKO_QUEUE_IMMEDIATE): its email
    assert link.startswith("/profile/data/download/")
    got = client.get(link)
    assert got.status_code == 200 and got.mimetype == "application/zip"
    assert got.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(got.data))
    names = set(archive.namelist())
    assert NAMES <= names
    [csv_name] = [n for n in names if n.startswith("responses/")]
    read = lambda name: json.loads(archive.read(name))  # noqa: E731
    profile = read("profile.json")
    assert profile["email"] == "owner@example.com" and profile["first_name"] == OWNER["first_name"]
    assert "password_hash" not in profile and profile["stripe_subscription_id"] == "sub_quokka"
    [instance] = read("instances.json")
    assert instance["id"] == str(org.instance_id) and instance["interview_guide"] == GUIDE
    assert instance["redaction"] == "email,phone" and "webhook_secret" not in instance
    assert [(v["instance_id"], v["number"], v["guide"]) for v in read("guide_versions.json")] == \
        [(str(org.instance_id), 1, GUIDE)]
    [response] = read("responses.json")
    assert response["id"] == str(org.response_id) and response["status"] == "completed"
    assert response["interviewee"] == {"first_name": INTERVIEWEE["first_name"],
                                       "second_name": INTERVIEWEE["second_name"], "email": INTERVIEWEE["email"]}
    assert [m["content"] for m in response["messages"] if m["role"] == "user"] == ANSWERS
    assert [q["state"] for q in response["questions"]] == ["answered"] * 3
    [summary] = read("summaries.json")
    assert summary["response_id"] == str(org.response_id) and summary["text"] == response["summary"]["text"]
    [themes] = read("themes.json")
    assert themes["instance_id"] == str(org.instance_id) and "themes" in themes
    [delivery] = read("webhook_deliveries.json")
    assert delivery["event"] == "response.completed" and delivery["status"] == "delivered"
    assert delivery["body"]["data"]["response_id"] == str(org.response_id)
    rows = list(csv.reader(io.StringIO(archive.read(csv_name).decode("utf-8-sig"))))
    assert rows[0][0] == "response_id" and rows[1][0] == str(org.response_id) and ANSWERS[0] in rows[1]
    assert "Download everything" in client.get("/profile/data/").get_data(as_text=True)
    assert audit_actions(app, owner) == [("export.requested", owner, owner), ("export.downloaded", owner, owner)]


def test_the_link_is_the_owners_alone_signed_and_expiring(app, client, owner, receiver):
    fill_organisation(app, owner, receiver)
    client.post("/profile/data/export")
    link = email_link(app, "owner@example.com")
    other = app.test_client()
    with app.app_context():
        someone = make_profile(email="someone@example.com").user_id
    log_in(other, someone)
    assert other.get(link).status_code == 404  # another account, logged in
    assert app.test_client().get(link).status_code == 302  # nobody logged in: to the login page
    token = link.rsplit("/", 1)[1]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(f"/profile/data/download/{tampered}").status_code == 404
    assert client.get(link).status_code == 200
    with app.app_context():
        export = db.session.scalar(sa.select(OwnerExport))
        export.expires_at = export.ready_at  # its week is over
        db.session.commit()
    assert b"expired" in client.get(link).data and client.get(link).status_code == 404
    app.config["FRANKO_EXPORT_MAX_AGE"] = -1  # the link's own signature expired too
    assert client.get(link).status_code == 404
    assert [a for a, _, _ in audit_actions(app, owner)].count("export.downloaded") == 1


def test_a_second_request_while_one_is_prepared_adds_none_and_expired_archives_are_purged(app, owner):
    from franko.jobs import run_pending
    from franko.ownerdata.jobs import purge_owner_archives
    from franko.ownerdata.jobs import queue_archive
    from franko.ownerdata.services import request_export

    count = lambda: db.session.scalar(sa.select(sa.func.count()).select_from(OwnerExport))  # noqa: E731
    app.config["FRANKO_QUEUE_IMMEDIATE"] = False
    with app.app_context():
        export = request_export(owner)
        queue_archive(export.id)
        assert request_export(owner) is None  # one at a time
        db.session.commit()
        assert count() == 1
    with app.app_context():
        assert run_pending() >= 1
    with app.app_context():
        export = db.session.scalar(sa.select(OwnerExport))
        assert export.status == "ready" and export.size == len(export.content) > 0
        export.expires_at = export.ready_at
        db.session.commit()
    with app.app_context():
        purge_owner_archives()
    with app.app_context():
        assert count() == 0
