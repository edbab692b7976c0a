"""The admins' queue page: counts, the oldest's age, the failed jobs with their error, and retrying one."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from franko.extensions import db
from franko.jobs.models import QueuedJob
from franko.models import utcnow
from tests.admin.conftest import ADMIN_EMAIL, admin  # noqa: F401 — the admin fixture
from tests.conftest import screenshot
from tests.factories import make_profile
from tests.helpers import axe_findings


@pytest.fixture
def app_config():
    return {"FRANKO_ADMIN_EMAILS": [ADMIN_EMAIL]}


def seed_jobs(app) -> int:
    """A job waiting for 5 minutes, one running, one failed; returns the failed one's id."""
    now = utcnow()
    with app.app_context():
        common = dict(args='["x"]', max_attempts=6, retry_delay=10, created_at=now)
        db.session.add_all([
            QueuedJob(name="franko.webhooks.jobs.deliver", status="waiting", run_at=now - timedelta(minutes=5), **common),
            QueuedJob(name="franko.mail.jobs.deliver_email", status="running", run_at=now, leased_by="w",
                      lease_until=now + timedelta(minutes=1), attempts=1, **common),
        ])
        failed = QueuedJob(name="franko.notifications.jobs.response_completed", status="failed", run_at=now,
                           attempts=6, last_error="NotSent: the mail server refused", **common)
        db.session.add(failed)
        db.session.commit()
        return failed.id


def test_an_admin_sees_the_queue_and_retries_a_failed_job(app, client, admin):  # noqa: F811
    failed_id = seed_jobs(app)
    page = client.get("/admin/jobs").get_data(as_text=True)
    for testid, value in (("waiting", "1"), ("running", "1"), ("failed", "1")):
        assert f'data-testid="{testid}">{value}<' in page
    assert 'data-testid="oldest">30' in page  # about 300 s
    assert "NotSent: the mail server refused" in page and f"Retry job {failed_id}" in page
    reply = client.post(f"/admin/jobs/{failed_id}/retry")
    assert reply.status_code == 302
    with app.app_context():
        assert db.session.get(QueuedJob, failed_id).status == "waiting"
        assert db.session.get(QueuedJob, failed_id).attempts == 0
    assert "is not a failed job" in client.post(f"/admin/jobs/{failed_id}/retry", follow_redirects=True).get_data(True)


def test_owners_cannot_see_or_retry_jobs(app, client, auth):
    failed_id = seed_jobs(app)
    auth.signup(email="owner@example.com")
    assert client.get("/admin/jobs").status_code == 403
    assert client.post(f"/admin/jobs/{failed_id}/retry").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(QueuedJob.status).where(QueuedJob.id == failed_id)) == "failed"


@pytest.mark.browser
def test_the_queue_page_is_accessible(live_server, page):
    with live_server.app.app_context():
        make_profile(email=ADMIN_EMAIL, email_verified_at=utcnow())
    seed_jobs(live_server.app)
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Job queue").click()
    page.wait_for_url(live_server.url + "/admin/jobs")
    assert axe_findings(page) == []
    screenshot(page, "admin-jobs")
    page.get_by_role("button", name="Retry job 3").click()
    assert page.get_by_text("Job 3 is queued again.").is_visible()
    assert axe_findings(page) == []
