"""The privacy notice: edited on the instance's privacy settings, shown before the intake form; starting records consent."""
import sqlalchemy as sa

from franko.audit.models import AuditEntry
from franko.extensions import db
from franko.models import ChatInstance, Profile
from tests.factories import make_instance
from tests.interview.conftest import Interviewee
from tests.privacy.helpers import NOTICE, make_owner_instance


def own_instance(app, owner):
    with app.app_context():
        return make_instance(db.session.get(Profile, owner)).id


def instance_row(app, instance_id):
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        db.session.expunge(instance)
        return instance


def test_saving_a_notice_versions_it_and_audits_it(app, client, owner):
    instance_id = own_instance(app, owner)
    page = client.get(f"/instances/{instance_id}/privacy")
    assert page.status_code == 200 and "Privacy notice (Markdown)" in page.get_data(as_text=True)
    assert instance_row(app, instance_id).privacy_notice_version == 0
    assert client.post(f"/instances/{instance_id}/privacy", data={"notice": NOTICE}).status_code == 302
    assert (instance_row(app, instance_id).privacy_notice, instance_row(app, instance_id).privacy_notice_version) == \
        (NOTICE, 1)
    client.post(f"/instances/{instance_id}/privacy", data={"notice": NOTICE + "\r\n"})  # the same text: no new version
    assert instance_row(app, instance_id).privacy_notice_version == 1
    client.post(f"/instances/{instance_id}/privacy", data={"notice": NOTICE + " Ask us anything.", "retention_days": "90"})
    row = instance_row(app, instance_id)
    assert (row.privacy_notice_version, row.retention_days) == (2, 90)
    client.post(f"/instances/{instance_id}/privacy", data={"notice": "", "retention_days": ""})  # removed
    row = instance_row(app, instance_id)
    assert (row.privacy_notice, row.privacy_notice_version, row.retention_days) == (None, 3, None)
    with app.app_context():
        details = list(db.session.scalars(sa.select(AuditEntry.detail).where(
            AuditEntry.action == "privacy.settings_changed").order_by(AuditEntry.id)))
    assert details == [{"notice_version": 1}, {"notice_version": 2, "retention_days": 90},
                       {"notice_version": 3, "retention_days": None}]


def test_bad_settings_are_refused_next_to_the_field(app, client, owner):
    instance_id = own_instance(app, owner)
    for days in ("0", "-3", "4000", "soon"):
        reply = client.post(f"/instances/{instance_id}/privacy", data={"notice": "", "retention_days": days})
        assert reply.status_code == 400 and "invalid-feedback" in reply.get_data(as_text=True)
    reply = client.post(f"/instances/{instance_id}/privacy", data={"notice": "x" * 20_001})
    assert reply.status_code == 400
    assert instance_row(app, instance_id).retention_days is None


def test_another_owners_instance_is_404(app, client, owner, stranger):
    instance_id, _ = stranger
    assert client.get(f"/instances/{instance_id}/privacy").status_code == 404
    assert client.post(f"/instances/{instance_id}/privacy", data={"retention_days": "1"}).status_code == 404


def test_the_notice_is_shown_before_the_intake_form_rendered_safely(app):
    _, instance_id = make_owner_instance(app, notice=NOTICE + "\n\n<script>alert(1)</script>", webhook=False)
    html = Interviewee(app, instance_id).client.get(f"/i/{instance_id}").get_data(as_text=True)
    assert "<strong>for a year</strong>" in html and '<a href="https://acme.example">Acme</a>' in html
    assert "<script>alert(1)</script>" not in html
    assert html.index("privacy-notice") < html.index('name="first_name"')
    assert "version 1" in html


def test_no_notice_no_section(app):
    _, instance_id = make_owner_instance(app, webhook=False)
    html = Interviewee(app, instance_id).client.get(f"/i/{instance_id}").get_data(as_text=True)
    assert "privacy-notice" not in html


def test_starting_records_consent_with_the_notice_version_and_time(app):
    _, instance_id = make_owner_instance(app, notice=NOTICE, webhook=False)
    with app.app_context():
        db.session.get(ChatInstance, instance_id).privacy_notice_version = 4
        db.session.commit()
    browser = Interviewee(app, instance_id)
    assert browser.start(consent=False).status_code == 200  # the box is required: nothing stored
    assert browser.chat_path is None
    assert browser.start().status_code == 302
    stored = browser.stored()
    assert stored.consent_notice_version == 4
    assert stored.consented_at is not None and stored.consented_at == stored.interview_start_time


def test_without_a_notice_consent_names_no_version(app):
    _, instance_id = make_owner_instance(app, webhook=False)
    browser = Interviewee(app, instance_id)
    browser.start()
    stored = browser.stored()
    assert stored.consent_notice_version is None and stored.consented_at is not None
