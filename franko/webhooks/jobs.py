"""The webhook jobs: one delivery attempt, retried with backoff while the receiver fails; the stale deliveries' sweep."""
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from franko import metrics
from franko.clock import utcnow
from franko.extensions import db
from franko.jobs import job, periodic
from franko.jobs.schedule import crontab
from franko.models import ChatInstance, WebhookDelivery
from franko.webhooks import transport
from franko.webhooks.signing import HEADER, sign

log = logging.getLogger(__name__)
STALE_SECONDS = 600


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx: raised so that the queue tries again later."""


@job(retries=6, retry_delay=30)
def deliver(delivery_id: str) -> None:
    """POST the delivery's body, freshly signed; 2xx: delivered; else log the attempt and raise (the queue retries).

    Attempts 30 s, 1, 2, 4, 8 and 16 minutes apart (7 in all); the last failure, or an address that
    is refused, marks it failed. A delivery no longer pending (delivered, failed, gone) is left
    alone, so a repeated job sends nothing more.
    """
    target = pending_target(delivery_id)
    db.session.rollback()  # no transaction open while the receiver answers (on SQLite it would hold off every writer)
    if target is None:
        return
    if not target.secret:
        record_failure(target.delivery_id, None, "The instance has no signing secret.", 1, give_up=True)
        metrics.count_webhook("failed")
        return
    body = target.body.encode("utf-8")
    headers = {"Content-Type": "application/json", "Franko-Delivery": str(target.delivery_id),
               "Franko-Event": target.event, HEADER: sign(body, target.secret)}
    config = current_app.config
    outcome = transport.post(target.url, body, headers, timeout=config["FRANKO_WEBHOOK_TIMEOUT"],
                             allow_private=config["FRANKO_WEBHOOK_ALLOW_PRIVATE"])
    if outcome.ok:
        record_delivered(target.delivery_id, outcome.code)
        metrics.count_webhook("delivered")
        return
    failed = record_failure(target.delivery_id, outcome.code, outcome.error or "Failed.",
                            max_attempts=deliver.retries + 1, give_up=outcome.permanent)
    metrics.count_webhook("failed" if failed else "retrying")
    if not failed:
        raise DeliveryFailed(f"delivery {target.delivery_id}: {outcome.error}")


def enqueue_delivery(delivery_id: uuid.UUID) -> bool:
    """Queue the sending in the caller's transaction; False when a job for it already waits or runs (one per delivery)."""
    return deliver.enqueue(str(delivery_id), key=f"deliver:{delivery_id}")


@periodic(crontab())
def requeue_stale_deliveries() -> None:
    """Every minute: a delivery pending for 10 minutes with no job (lost with the old queue, or its job failed) is queued again."""
    count = requeue_stale(STALE_SECONDS)
    db.session.commit()
    if count:
        log.warning("%d pending webhook deliveries had no job: queued again", count)


def requeue_stale(older_than_seconds: int) -> int:
    """Queue again every delivery pending for a while with no job waiting or running (lost with the old queue,
    or whose job failed); the caller commits. Returns how many it queued (the job's key drops the others).
    """
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    stale = db.session.scalars(sa.select(WebhookDelivery.id).where(WebhookDelivery.status == "pending",
                                                                   WebhookDelivery.updated_at < cutoff)).all()
    queued = 0
    for delivery_id in stale:
        queued += enqueue_delivery(delivery_id)
    return queued


# --- what an attempt records (the job commits each, so no transaction is open while the receiver answers) ---

@dataclass(frozen=True)
class Target:
    """What one attempt sends: where, what, signed with which secret."""

    delivery_id: uuid.UUID
    event: str
    url: str
    body: str
    secret: str | None


def pending_target(delivery_id: str) -> Target | None:
    """The delivery to attempt, or None when it is gone, delivered or failed (nothing to do)."""
    row = db.session.execute(
        sa.select(WebhookDelivery.id, WebhookDelivery.event, WebhookDelivery.url, WebhookDelivery.body,
                  ChatInstance.webhook_secret)
        .join(ChatInstance, WebhookDelivery.chat_instance_id == ChatInstance.id)
        .where(WebhookDelivery.id == uuid.UUID(str(delivery_id)), WebhookDelivery.status == "pending")
    ).first()
    return Target(*row) if row is not None else None


def record_delivered(delivery_id: uuid.UUID, code: int) -> None:
    """A 2xx answer: delivered (counted as one more attempt)."""
    now = utcnow()
    db.session.execute(
        sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending")
        .values(status="delivered", attempts=WebhookDelivery.attempts + 1, response_code=code, error=None,
                delivered_at=now, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def record_failure(delivery_id: uuid.UUID, code: int | None, error: str, max_attempts: int, give_up: bool) -> bool:
    """One more failed attempt; failed for good at `max_attempts` (or at once with `give_up`). Returns whether it failed for good."""
    attempts = WebhookDelivery.attempts + 1
    status = "failed" if give_up else sa.case((attempts >= max_attempts, "failed"), else_="pending")
    db.session.execute(
        sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending")
        .values(status=status, attempts=attempts, response_code=code, error=error, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return db.session.scalar(sa.select(WebhookDelivery.status).where(WebhookDelivery.id == delivery_id)) != "pending"
