"""Webhook deliveries: one row per response and event, sent by a job, signed like Stripe's.

A delivery's `body` is written once, when it is logged, and sent as it is on every attempt and
replay (only the signature, over a fresh timestamp, changes), so a receiver can de-duplicate on
its `id` (also sent as the Franko-Delivery header).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from franko.database import Page, insert_ignoring_duplicates
from franko.exceptions import NotFound
from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, WebhookDelivery
from franko.clock import utcnow
from franko.redaction.settings import mask_webhook_data
from franko.webhooks.jobs import enqueue_delivery
from franko.webhooks.signing import new_secret

RESPONSE_COMPLETED = "response.completed"
PING = "ping"
URL_MAX_LENGTH = 2000
DELIVERIES_PER_PAGE = 25


class WebhookError(Exception):
    """A webhook action that cannot be done; its message is for the owner."""


class NoWebhookURL(WebhookError):
    """The instance has no webhook URL (any more) to send to."""


def check_url(url: str | None) -> str | None:
    """The URL as it will be stored (None: no webhook); raises WebhookError saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        return None
    if len(url) > URL_MAX_LENGTH:
        raise WebhookError(f"Use a URL of at most {URL_MAX_LENGTH} characters.")
    if any(c.isspace() for c in url):
        raise WebhookError("A URL cannot contain spaces.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number in range
    except ValueError:
        raise WebhookError("This is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise WebhookError("Use an address starting with https:// (or http://).")
    if not parts.hostname:
        raise WebhookError("The URL needs a host name, e.g. https://example.com/franko-webhook.")
    if parts.username or parts.password:
        raise WebhookError("Leave user names and passwords out of the URL; verify the signature instead.")
    return url


def set_url(instance: ChatInstance, url: str | None) -> None:
    """Save (or clear) the instance's webhook URL; the first URL gets a signing secret."""
    instance.webhook_url = check_url(url)
    if instance.webhook_url and not instance.webhook_secret:
        instance.webhook_secret = new_secret()
    db.session.flush()


def rotate_secret(instance: ChatInstance) -> str:
    """A new signing secret; deliveries from now on (retries and replays too) are signed with it."""
    instance.webhook_secret = new_secret()
    db.session.flush()
    return instance.webhook_secret


# --- what is sent ------------------------------------------------------------------------------

def iso(value: datetime | None) -> str | None:
    """A time (naive ones are UTC, as stored) as ISO 8601 with a Z."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def instance_data(instance: ChatInstance) -> dict:
    return {"id": str(instance.id), "title": instance.title}


def response_data(response: ChatResponse, instance: ChatInstance) -> dict:
    """The `data` of response.completed: the response, its transcript and its summary."""
    conversation = response.conversation
    messages = [{"role": entry.side, "content": entry.content, "at": iso(entry.at)}
                for entry in (conversation.entries() if conversation is not None else [])]
    summary = response.summary
    data = {
        "response_id": str(response.id),
        "instance": instance_data(instance),
        "interviewee": {"first_name": response.interviewee_first_name,
                        "second_name": response.interviewee_second_name,
                        "email": response.interviewee_email},
        "status": response.status,
        "completion_status": response.completion_status,
        "guide_version": response.guide_version,
        "started_at": iso(response.interview_start_time),
        "ended_at": iso(response.interview_end_time),
        "minutes": response.total_interview_minutes,
        "transcript": {"messages": messages,
                       "text": response.clean_transcript or (conversation.text if conversation is not None else None)},
        "summary": {"text": summary.text, "quotes": list(summary.quotes)} if summary is not None else None,
    }
    return mask_webhook_data(data, instance)  # when the owner chose to mask the webhook body too


def event_body(delivery_id: uuid.UUID, event: str, data: dict, created: datetime) -> str:
    """The JSON text of one event, exactly as it is stored, signed and sent."""
    created_unix = int(created.replace(tzinfo=created.tzinfo or timezone.utc).timestamp())
    envelope = {"id": str(delivery_id), "type": event, "created": created_unix, "data": data}
    return json.dumps(envelope, ensure_ascii=False, indent=2)


# --- logging and queueing ----------------------------------------------------------------------

def _enqueue(delivery_id: uuid.UUID) -> bool:
    """Queue the sending in the caller's transaction; False when a job for it already waits or runs (one per delivery)."""
    return enqueue_delivery(delivery_id)


def queue_event(event: str, response_id: str) -> uuid.UUID | None:
    """Log and queue the delivery of `event` about a response to its instance's webhook URL, if it has one.

    Once per response and event, however often it runs (a retried or repeated job): the row is
    inserted if absent, and only the run that inserted it queues the sending, in the same
    transaction (the caller commits). Returns its id.
    """
    row = db.session.execute(
        sa.select(ChatResponse, ChatInstance).join(ChatInstance, ChatResponse.chat_instance_id == ChatInstance.id)
        .where(ChatResponse.id == uuid.UUID(str(response_id)))
    ).first()
    if row is None or not row[1].webhook_url:
        return None
    response, instance = row
    logged = sa.select(WebhookDelivery.id).where(WebhookDelivery.chat_response_id == response.id,
                                                 WebhookDelivery.event == event)
    if db.session.scalar(logged) is not None:
        return None
    delivery_id, now = uuid.uuid4(), utcnow()
    inserted = db.session.execute(insert_ignoring_duplicates(
        WebhookDelivery, id=delivery_id, chat_instance_id=instance.id, chat_response_id=response.id, event=event,
        url=instance.webhook_url, body=event_body(delivery_id, event, response_data(response, instance), now),
        status="pending", attempts=0, created_at=now, updated_at=now,
    )).rowcount
    if not inserted:  # another run logged it between the check and the insert
        return None
    _enqueue(delivery_id)
    return delivery_id


def send_test_event(instance: ChatInstance) -> uuid.UUID:
    """Log and queue a `ping` to the instance's URL, so the owner can check their receiver."""
    if not instance.webhook_url:
        raise NoWebhookURL("Save a webhook URL first.")
    delivery_id, now = uuid.uuid4(), utcnow()
    data = {"instance": instance_data(instance), "message": "A test event from Franko: your webhook works."}
    db.session.add(WebhookDelivery(id=delivery_id, chat_instance_id=instance.id, event=PING, url=instance.webhook_url,
                                   body=event_body(delivery_id, PING, data, now), created_at=now, updated_at=now))
    db.session.flush()
    _enqueue(delivery_id)
    return delivery_id


def replay(delivery: WebhookDelivery, instance: ChatInstance) -> None:
    """Send a delivery again (same id and body, a fresh signature) to the instance's current URL, with fresh retries."""
    if not instance.webhook_url:
        raise NoWebhookURL("This instance has no webhook URL any more: save one to replay deliveries.")
    delivery_id = delivery.id  # read before the caller's commit expires it (a refresh would hold SQLite's read lock)
    db.session.execute(
        sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
        .values(status="pending", attempts=0, url=instance.webhook_url, delivered_at=None, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    _enqueue(delivery_id)


# --- the owner's log ---------------------------------------------------------------------------

def deliveries_page(instance_id: uuid.UUID, number: int, per_page: int = DELIVERIES_PER_PAGE) -> Page:
    """One page of the instance's deliveries, newest first, without their bodies (one row more tells of a next page)."""
    number = max(number, 1)
    rows = db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.chat_instance_id == instance_id)
        .options(load_only(WebhookDelivery.id, WebhookDelivery.chat_instance_id, WebhookDelivery.chat_response_id,
                           WebhookDelivery.event, WebhookDelivery.url, WebhookDelivery.status,
                           WebhookDelivery.attempts, WebhookDelivery.response_code, WebhookDelivery.error,
                           WebhookDelivery.delivered_at, WebhookDelivery.created_at, WebhookDelivery.updated_at))
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .offset((number - 1) * per_page).limit(per_page + 1)
    ).all()
    return Page(rows[:per_page], number, len(rows) > per_page)


def get_delivery(instance_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    """One delivery of the (already owned) instance; NotFound (a 404) for any other."""
    found = db.session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                               WebhookDelivery.chat_instance_id == instance_id))
    if found is None:
        raise NotFound()
    return found

