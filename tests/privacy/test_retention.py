"""Retention: an instance's responses older than N days are deleted by the hourly job, in batches, with what derives from them."""
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from franko.audit.models import AuditEntry
from franko.extensions import db
from franko.jobs import queue
from franko.models import ChatInstance, ChatResponse, ResponseQuestion, WebhookDelivery, utcnow
from franko.privacy import services
from franko.privacy.jobs import run_retention
from tests.privacy.helpers import OTHERS, ZEB, interview, make_owner_instance, themes_of


def age(app, response_ids, days):
    with app.app_context():
        db.session.execute(sa.update(ChatResponse).where(ChatResponse.id.in_(response_ids))
                           .values(created_at=utcnow() - timedelta(days=days)))
        db.session.commit()


def set_retention(app, instance_id, days):
    with app.app_context():
        db.session.get(ChatInstance, instance_id).retention_days = days
        db.session.commit()


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_old_responses_go_with_their_records_deliveries_and_themes(app):
    owner_id, instance_id = make_owner_instance(app)
    browsers = [interview(app, instance_id, p) for p in [*OTHERS, ZEB]]
    ids = [b.response_id for b in browsers]
    assert count(app, ResponseQuestion) == 6 and count(app, WebhookDelivery) == 3
    assert themes_of(app, instance_id).responses == 3
    age(app, ids[1:], 40)  # Ignatius and Zebulon are old; Maude is recent
    set_retention(app, instance_id, 30)
    with app.app_context():
        assert run_retention(utcnow()) == {str(instance_id): 2}
    with app.app_context():
        assert [r.id for r in db.session.scalars(sa.select(ChatResponse))] == [ids[0]]
    assert count(app, ResponseQuestion) == 2  # the coverage records of the one left
    assert count(app, ResponseQuestion, ResponseQuestion.chat_response_id.in_(ids[1:])) == 0
    assert count(app, WebhookDelivery) == 1  # the bodies went with their responses
    themes = themes_of(app, instance_id)  # recomputed from the one left: no theme is shared by two
    assert themes.responses == 1 and themes.themes == ()
    with app.app_context():
        line = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "retention.deleted")).scalar_one()
        assert (line.owner_id, line.actor_id) == (owner_id, None)
        assert line.detail == {"instance": str(instance_id), "responses": 2, "batches": 1, "retention_days": 30}
    with app.app_context():
        assert run_retention(utcnow()) == {}  # nothing left to delete: no second line
    assert count(app, AuditEntry, AuditEntry.action == "retention.deleted") == 1


def test_retention_is_off_by_default_and_per_instance(app):
    from tests.factories import make_instance, make_profile, make_response

    with app.app_context():
        owner = make_profile(plan="pro")
        kept, trimmed = make_instance(owner), make_instance(owner)
        assert kept.retention_days is None  # off by default
        trimmed.retention_days = 7
        db.session.commit()
        old = utcnow() - timedelta(days=400)
        for instance in (kept, trimmed):
            make_response(instance, created_at=old)
            make_response(instance, created_at=utcnow() - timedelta(days=6))
        assert run_retention(utcnow()) == {str(trimmed.id): 1}
        remaining = db.session.execute(sa.select(ChatResponse.chat_instance_id, sa.func.count())
                                       .group_by(ChatResponse.chat_instance_id)).all()
        assert dict(remaining) == {kept.id: 2, trimmed.id: 1}


def test_large_deletions_go_in_batches(app):
    from tests.factories import make_instance, make_profile, make_response

    app.config["FRANKO_RETENTION_BATCH"] = 2
    with app.app_context():
        instance = make_instance(make_profile(plan="pro"))
        instance.retention_days = 1
        db.session.commit()
        for n in range(5):
            make_response(instance, first_name=f"Old {n}", created_at=utcnow() - timedelta(days=2, minutes=n))
        make_response(instance, first_name="New")
        statements: list[str] = []
        listener = lambda conn, cursor, statement, *a: statements.append(statement)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert run_retention(utcnow()) == {str(instance.id): 5}
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        assert [r.interviewee_first_name for r in db.session.scalars(sa.select(ChatResponse))] == ["New"]
        assert len([s for s in statements if s.startswith("DELETE FROM chat_responses")]) == 3  # 2 + 2 + 1
        line = db.session.execute(sa.select(AuditEntry.detail).where(AuditEntry.action == "retention.deleted")).scalar_one()
        assert line["batches"] == 3 and line["responses"] == 5


def test_the_job_is_hourly_and_the_command_runs_it(app, runner):
    job = queue(app)["franko.privacy.jobs.delete_expired_responses"]
    assert job.schedule(datetime(2026, 1, 1, 3, services.RETENTION_MINUTE)) is True
    assert job.schedule(datetime(2026, 1, 1, 3, services.RETENTION_MINUTE + 1)) is False
    from tests.factories import make_instance, make_profile, make_response

    with app.app_context():
        instance = make_instance(make_profile())
        instance.retention_days = 10
        db.session.commit()
        make_response(instance, created_at=utcnow() - timedelta(days=11))
    result = runner.invoke(args=["franko", "retention"])
    assert result.exit_code == 0 and "1 responses deleted from 1 instances" in result.output
    assert "No response is past" in runner.invoke(args=["franko", "retention"]).output


def test_the_instance_page_says_the_policy_and_the_next_run(app, client, owner):
    from tests.factories import make_instance, make_response
    from franko.models import Profile

    with app.app_context():
        instance = make_instance(db.session.get(Profile, owner))
        make_response(instance, created_at=utcnow() - timedelta(days=3))
        instance_id = instance.id
    html = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "Responses are kept until you delete them" in html
    set_retention(app, instance_id, 2)
    html = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "Responses are deleted 2 days" in html and "The next deletion runs at" in html
    assert "(1 response due now)" in html
    expected = services.next_retention_run(utcnow())
    assert f'{expected:%Y-%m-%dT%H:%M}' in html


def test_next_run_is_the_next_hour_at_the_jobs_minute():
    minute = services.RETENTION_MINUTE
    assert services.next_retention_run(datetime(2026, 1, 1, 9, minute - 1)) == datetime(2026, 1, 1, 9, minute)
    assert services.next_retention_run(datetime(2026, 1, 1, 9, minute)) == datetime(2026, 1, 1, 10, minute)
    assert services.next_retention_run(datetime(2026, 1, 1, 23, 59)) == datetime(2026, 1, 2, 0, minute)


def test_a_response_in_the_queue_is_taken_out_of_it(app):
    """A job about a deleted response (its summary, its email) is deleted with it, others are kept."""
    from franko.insights.jobs import summarize_response
    from franko.jobs.models import QueuedJob
    from tests.factories import make_instance, make_profile, make_response

    app.config["FRANKO_QUEUE_IMMEDIATE"] = False
    with app.app_context():
        instance = make_instance(make_profile())
        old = make_response(instance, created_at=utcnow() - timedelta(days=5), interviewee_email="old@example.org")
        new = make_response(instance)
        instance.retention_days = 1
        summarize_response.enqueue(str(old.id))
        summarize_response.enqueue(str(new.id))
        from franko.mail.jobs import deliver_email

        deliver_email.enqueue("old@example.org", "Your interview", "a link")
        db.session.commit()
        run_retention(utcnow())
        left = [q.args for q in db.session.scalars(sa.select(QueuedJob))]
        assert left == [f'["{new.id}"]'] or left == [f'["{new.id}", false]']
        assert uuid.UUID(left[0].split('"')[1]) == new.id


def test_an_imported_interviews_archived_copy_goes_too(app):
    """The upgrade archived legacy interviews whole (legacy_archive): deleting the response deletes that copy."""
    from franko.models import LegacyArchive
    from tests.factories import make_instance, make_profile, make_response

    with app.app_context():
        instance = make_instance(make_profile())
        instance.retention_days = 1
        old = make_response(instance, first_name="Legacy Person", created_at=utcnow() - timedelta(days=3))
        kept = make_response(instance, first_name="Recent Person")
        for response in (old, kept):
            for source in ("interviews", "interviews:reconciled"):
                db.session.add(LegacyArchive(source_table=source, source_pk=str(response.id),
                                             row_json=f'{{"name": "{response.interviewee_first_name}"}}'))
        db.session.add(LegacyArchive(source_table="profiles", source_pk=str(old.id), row_json="{}"))  # not an interview
        db.session.commit()
        run_retention(utcnow())
        left = sorted((a.source_table, a.row_json) for a in db.session.scalars(sa.select(LegacyArchive)))
    assert left == [("interviews", '{"name": "Recent Person"}'), ("interviews:reconciled", '{"name": "Recent Person"}'),
                    ("profiles", "{}")]
