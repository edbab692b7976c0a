"""The independent check's test: after a deletion, no table holds the person's name, email or answers, in any form.

Run on SQLite and PostgreSQL. The person went through everything that copies their words: the
summary, the themes (shared with two others), the coverage records, the owner's email, the webhook
delivery (kept, retrying, with its body), the private link's email, the queue's jobs.
"""
from datetime import timedelta

import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatResponse, WebhookDelivery, utcnow
from tests.privacy.helpers import OTHERS, ZEB, interview, leftovers, make_owner_instance, private_link_path, themes_of


def three_interviews(app):
    owner_id, instance_id = make_owner_instance(app)
    for person in OTHERS:
        interview(app, instance_id, person)
    browser = interview(app, instance_id, ZEB)
    with app.app_context():  # the newest (not just the same second): the themes quote them first
        db.session.execute(sa.update(ChatResponse).where(ChatResponse.id == browser.response_id)
                           .values(interview_end_time=utcnow() + timedelta(minutes=1)))
        db.session.commit()
        from franko.insights.jobs import refresh_themes

        refresh_themes(str(instance_id), True)
    # Everything that copies the person's words is there before the deletion (or the scan proves nothing).
    assert {table for table, _ in leftovers(app, ZEB)} >= {"chat_responses", "webhook_deliveries", "chat_instances"}
    themes = themes_of(app, instance_id)
    assert themes is not None and any(str(browser.response_id) in t.response_ids for t in themes.themes)
    return owner_id, instance_id, browser


def test_nothing_is_left_after_the_interviewee_deletes(app):
    _, instance_id, browser = three_interviews(app)
    path = private_link_path(browser.chat().get_data(as_text=True))
    reply = browser.client.post(path + "/delete", data={"confirm": "y"})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    assert leftovers(app, ZEB) == []
    for person in OTHERS:  # the others are untouched
        assert {table for table, _ in leftovers(app, person)} >= {"chat_responses", "webhook_deliveries"}
    themes = themes_of(app, instance_id)
    assert themes.responses == 2 and all(str(browser.response_id) not in t.response_ids for t in themes.themes)


def test_nothing_is_left_after_retention_deletes(app):
    _, instance_id, browser = three_interviews(app)
    with app.app_context():
        db.session.execute(sa.update(ChatResponse).where(ChatResponse.id == browser.response_id)
                           .values(created_at=utcnow() - timedelta(days=31)))
        instance = db.session.get(type(db.session.get(ChatResponse, browser.response_id).instance), instance_id)
        instance.retention_days = 30
        db.session.commit()
        from franko.privacy.jobs import run_retention

        assert run_retention(utcnow()) == {str(instance_id): 1}
    assert leftovers(app, ZEB) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChatResponse)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 2
    assert themes_of(app, instance_id).responses == 2


def test_nothing_is_left_after_the_owner_deletes_the_response(app, client):
    from franko.audit.models import AuditEntry
    from tests.factories import log_in

    owner_id, instance_id, browser = three_interviews(app)
    log_in(client, owner_id)
    assert client.post(f"/responses/{browser.response_id}/delete").status_code == 302
    assert leftovers(app, ZEB) == []
    assert themes_of(app, instance_id).responses == 2
    with app.app_context():
        line = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "response.deleted")).scalar_one()
        assert (line.actor_id, line.owner_id, line.subject) == (owner_id, owner_id, f"instance {instance_id}")
