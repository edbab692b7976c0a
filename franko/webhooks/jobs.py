"""The webhook jobs: one delivery attempt, retried with backoff while the receiver fails; the stale deliveries' sweep."""
import logging

from flask import current_app

from franko import metrics
from franko.extensions import db
from franko.jobs import job, periodic
from franko.jobs.schedule import crontab
from franko.jobs.store import through_outage
from franko.webhooks import services, transport
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
    target = services.pending_target(delivery_id)
    db.session.rollback()  # no transaction open while the receiver answers (on SQLite it would hold off every writer)
    if target is None:
        return
    if not target.secret:
        services.record_failure(target.delivery_id, None, "The instance has no signing secret.", 1, give_up=True)
        metrics.count_webhook("failed")
        return
    body = target.body.encode("utf-8")
    headers = {"Content-Type": "application/json", "Franko-Delivery": str(target.delivery_id),
               "Franko-Event": target.event, HEADER: sign(body, target.secret)}
    config = current_app.config
    outcome = transport.post(target.url, body, headers, timeout=config["FRANKO_WEBHOOK_TIMEOUT"],
                             allow_private=config["FRANKO_WEBHOOK_ALLOW_PRIVATE"])
    if outcome.ok:
        metrics.count_webhook("delivered")
        through_outage(lambda: services.record_delivered(target.delivery_id, outcome.code),
                       f"delivery {target.delivery_id}: recording the 2xx")  # else the receiver gets it again
        return
    failed = services.record_failure(target.delivery_id, outcome.code, outcome.error or "Failed.",
                                     max_attempts=deliver.retries + 1, give_up=outcome.permanent)
    metrics.count_webhook("failed" if failed else "retrying")
    if not failed:
        raise DeliveryFailed(f"delivery {target.delivery_id}: {outcome.error}")


@periodic(crontab())
def requeue_stale_deliveries() -> None:
    """Every minute: a delivery pending for 10 minutes with no job (lost with the old queue, or its job failed) is queued again."""
    count = services.requeue_stale(STALE_SECONDS)
    db.session.commit()
    if count:
        log.warning("%d pending webhook deliveries had no job: queued again", count)
