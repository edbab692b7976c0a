"""What a completed interview sets off, in the worker: its summary, then the themes, the owner's email, the webhook."""
from flask import current_app

from franko.extensions import db
from franko.insights.jobs import refresh_themes, summarize_response
from franko.jobs import job
from franko.notifications.jobs import response_completed as notify_owner
from franko.webhooks.services import queue_event


@job()
def after_completion(response_id: str) -> None:
    """Summarise the response first (the email and the webhook carry the summary), then fan out.

    Safe to run twice: the summary is recomputed, the themes too, the owner's email and the
    webhook delivery are each done once (one job per key at a time, a claim while the email is
    sent, `notified_at` after it was; one delivery row per response and event).
    """
    instance_id = summarize_response(response_id)
    if instance_id is None:  # deleted since it completed
        return
    # A little later: interviews completing together get one recomputation (the later runs find the
    # themes newer than every change, and stop).
    refresh_themes.enqueue(instance_id, delay=current_app.config["FRANKO_THEMES_DELAY"])
    notify_owner.enqueue(response_id, key=f"notify:{response_id}")
    queue_event("response.completed", response_id)
    from franko.privacy.jobs import email_private_link  # §14: the interviewee's own link, when they gave an email

    email_private_link.enqueue(response_id, key=f"private-link:{response_id}")
    db.session.commit()  # the summary and the three jobs together
