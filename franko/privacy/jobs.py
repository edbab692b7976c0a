"""The privacy jobs: the hourly retention run, and the interviewee's private link by email."""
import logging
import uuid

from flask import current_app

from franko.extensions import db
from franko.jobs import job, periodic
from franko.jobs.schedule import crontab
from franko.jobs.store import done_now
from franko.mail.services import render_email, send_email
from franko.models import ChatResponse, utcnow
from franko.privacy import services, tokens
from franko.urls import external_url

log = logging.getLogger(__name__)


class MailNotSent(RuntimeError):
    """The mail server refused the private link or could not be reached; the queue tries again later."""


@periodic(crontab(minute=str(services.RETENTION_MINUTE)))
def delete_expired_responses() -> None:
    """Hourly: delete every instance's responses older than its retention period, in batches, one audit line each."""
    run_retention(utcnow())


def run_retention(now) -> dict[str, int]:
    """The retention run at `now`: each batch in its own commit; returns the responses deleted per instance."""
    size = current_app.config["FRANKO_RETENTION_BATCH"]
    found = services.instances_with_retention()
    db.session.commit()  # end the read: SQLite lets one writer in
    deleted: dict[str, int] = {}
    for instance_id, owner_id, days in found:
        total = batches = 0
        while True:
            count = services.delete_expired_batch(instance_id, days, now, size)
            if not count:
                break
            total, batches = total + count, batches + 1
            db.session.commit()  # one batch, one short transaction
        if total:
            services.record_retention_run(instance_id, owner_id, days, total, batches)
            db.session.commit()
            deleted[str(instance_id)] = total
            log.info("retention: %d responses of instance %s deleted (older than %d days)", total, instance_id, days)
    return deleted


@job(retries=8, retry_delay=30)
def email_private_link(response_id: str) -> None:
    """Email the interviewee the link to their own transcript (when they gave an address and the response is kept)."""
    response = db.session.get(ChatResponse, uuid.UUID(response_id))
    if response is None or not response.interviewee_email:
        return
    to = response.interviewee_email
    link = external_url("privacy.mine", token=tokens.make_token(response.id))
    days = max(1, current_app.config["FRANKO_PRIVATE_LINK_MAX_AGE"] // 86400)
    body = render_email("private_link", first_name=response.interviewee_first_name, title=response.instance.title,
                        link=link, days=days,
                        organisation=(response.instance.owner.organisation_name or "").strip() or "the organisation")
    db.session.rollback()  # no transaction open while the mail server answers

    if not send_email(to, "Your interview: read, download or delete it", body, accepted=done_now):
        raise MailNotSent(f"private link for response {response_id} not sent")
