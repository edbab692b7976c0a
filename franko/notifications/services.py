"""Notification rules: who gets which email, each sent once under a claim and marked done only once it was sent.

Every email here is sent from the worker with `send_email` (not queued again with `send_template`):
the job claims the email (franko.jobs.claims: a lease, so a second run of the job waits or finds
it done, and a worker that dies mid-send leaves a claim that lapses), sends it, and only after the
mail server accepted it writes the mark (`notified_at`, `digest_sent_at`, `quota_notice_level`).
A server that fails releases the claim and the job's retry sends it. Only verified addresses get
notifications: an unverified one may be someone else's.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from franko.extensions import db
from franko.jobs import accepted as effects
from franko.jobs.claims import claimed
from franko.jobs.store import through_outage
from franko.mail.services import render_email, send_email
from franko.models import NOTIFY_MODES, ChatInstance, ChatResponse, Profile
from franko.clock import utcnow
from franko.plans import lower_notice_level, usage
from franko.redaction.settings import mask_text, settings_of
from franko.urls import external_url

log = logging.getLogger(__name__)
MODE_LABELS = {
    "off": "No emails about responses",
    "each": "An email for each completed response",
    "daily": "A daily digest of the responses completed that day",
}
assert tuple(MODE_LABELS) == NOTIFY_MODES


class NotSent(RuntimeError):
    """The mail server failed; the claim was released and the job's retry sends the email."""


class UnknownMode(ValueError):
    """A notification mode that is not one of NOTIFY_MODES."""


@dataclass(frozen=True)
class ResponseLine:
    """One completed response as an email shows it."""

    instance_title: str
    interviewee: str
    minutes: int | None
    coverage: str | None
    summary: str | None
    quotes: tuple[str, ...]
    link: str
    ended_at: datetime | None


def _send(to: str, subject: str, body: str, once: str | None, mark: sa.Update) -> bool:
    """Send, and commit `mark` (the email's final mark) the moment the server accepted it; raise NotSent if it failed.

    A Message-ID made of `once`, when given, makes a repeat recognisable, and `once` names the email in
    `franko.jobs.accepted`. False when the server had accepted it already (a worker died before the mark).
    """
    subject = " ".join(subject.split())  # typed names and titles never break the header onto a new line
    message_id = f"<{once.replace(':', '.')}@franko>" if once else None
    db.session.rollback()  # nothing is written before the send, and no read stays open while the server answers

    def write() -> None:
        db.session.execute(mark)
        db.session.commit()

    def accepted() -> None:  # the email went out: its mark must be written, through a database outage too
        if once:
            effects.remember(once)  # first: a worker killed before the commit below leaves this behind
        through_outage(write, f"{once or to}: marking the email sent")
        if once:
            effects.forget(once)

    if once and effects.was_accepted(once):  # the server took it before a worker died: marked now, not sent again
        log.info("%s: accepted by the mail server before its worker stopped; marked sent, not sent again", once)
        accepted()
        return False
    if not send_email(to, subject, body, message_id=message_id, accepted=accepted):
        raise NotSent(f"notification to {to} ({subject}) not sent")
    return True


def _notifiable(profile: Profile | None) -> bool:
    return profile is not None and bool(profile.email) and profile.email_verified


def _line(response: ChatResponse, title: str) -> ResponseLine:
    name = " ".join(n for n in (response.interviewee_first_name, response.interviewee_second_name) if n)
    summary = response.summary
    redaction = settings_of(response.instance)  # loaded with the response (no query): masked if the owner chose
    shown = (lambda text: mask_text(text, redaction)) if redaction.masks("notification") else (lambda text: text)
    return ResponseLine(title, name or "An interviewee", response.total_interview_minutes, response.completion_status,
                        shown(summary.text) if summary else None, tuple(map(shown, summary.quotes)) if summary else (),
                        external_url("responses.show", response_id=response.id), response.interview_end_time)


# --- one email per completed response -----------------------------------------------------------

def notify_response(response_id: str) -> bool:
    """Email the owner about a completed response when their mode is "each"; True when this call sent it."""
    if not _response_to_notify(response_id):
        return False
    key = f"notify:{response_id}"
    with claimed(key):
        found = _response_to_notify(response_id)  # again, under the claim: another run may have sent it
        if found is None:
            return False
        response, owner = found
        response_pk = response.id
        line = _line(response, response.instance.title)
        body = render_email("response_completed", line=line, settings=external_url("notifications.edit"))
        table = ChatResponse.__table__
        sent = _send(owner.email, f"New response: {line.interviewee} completed \"{line.instance_title}\"", body,
                     key, sa.update(table).where(table.c.id == response_pk, table.c.notified_at.is_(None))
                     .values(notified_at=utcnow()))
    return sent


def _response_to_notify(response_id: str) -> tuple[ChatResponse, Profile] | None:
    """The completed response and its owner, when the owner wants its email and it has not been sent."""
    db.session.rollback()  # a fresh read
    response = db.session.get(ChatResponse, uuid.UUID(str(response_id)))
    if response is None or response.status != "completed" or response.notified_at is not None:
        return None
    owner = db.session.get(Profile, response.user_id)
    if not _notifiable(owner) or owner.notify_mode != "each":
        return None
    return response, owner


# --- the daily digest ---------------------------------------------------------------------------

def digest_cutoff(now: datetime) -> datetime | None:
    """Today's digest time (FRANKO_DIGEST_HOUR, UTC), once it has passed; None before it."""
    cutoff = now.replace(hour=current_app.config.get("FRANKO_DIGEST_HOUR", 8), minute=0, second=0, microsecond=0)
    return cutoff if now >= cutoff else None


def _due(cutoff: datetime):
    """Owners in daily mode, with a verified address, whose last digest went out before `cutoff`."""
    return sa.and_(Profile.notify_mode == "daily", Profile.email.is_not(None), Profile.email_verified_at.is_not(None),
                   sa.or_(Profile.digest_sent_at.is_(None), Profile.digest_sent_at < cutoff))


def due_digests(now: datetime) -> list[str]:
    """The user ids whose digest is due at `now` (none before today's digest time)."""
    cutoff = digest_cutoff(now)
    if cutoff is None:
        return []
    return list(db.session.scalars(sa.select(Profile.user_id).where(_due(cutoff)).order_by(Profile.user_id)))


def send_digest(user_id: str, now: datetime) -> int | None:
    """Email the owner's digest due at `now`: what completed since the last one; marked sent once the server took it.

    Returns how many responses it listed (0: marked, no email), None when it was not due (sent
    already, or the owner left daily mode). The first digest covers the day before.
    """
    cutoff = digest_cutoff(now)
    if cutoff is None:
        return None
    key = f"digest:{user_id}"
    with claimed(key):
        db.session.rollback()
        owner = db.session.scalar(sa.select(Profile).where(Profile.user_id == user_id, _due(cutoff)))
        if owner is None:
            return None
        since = owner.digest_sent_at or now - timedelta(days=1)
        lines = completed_between(user_id, since, now)
        table = Profile.__table__
        mark = sa.update(table).where(table.c.user_id == user_id, _due(cutoff)).values(digest_sent_at=now)
        if lines:
            body = render_email("digest", lines=lines, since=since, now=now,
                                settings=external_url("notifications.edit"))
            subject = f"Your Franko digest: {len(lines)} new response{'s' if len(lines) != 1 else ''}"
            _send(owner.email, subject, body, f"{key}:{now:%Y%m%d%H%M}", mark)
        else:
            db.session.execute(mark)
    return len(lines)


def completed_between(user_id: str, since: datetime, until: datetime) -> list[ResponseLine]:
    """The owner's responses that completed after `since`, up to `until`, oldest first."""
    rows = db.session.execute(
        sa.select(ChatResponse, ChatInstance).join(ChatInstance, ChatInstance.id == ChatResponse.chat_instance_id)
        .where(ChatResponse.user_id == user_id, ChatResponse.status == "completed",
               ChatResponse.interview_end_time > since, ChatResponse.interview_end_time <= until)
        .order_by(ChatResponse.interview_end_time, ChatResponse.id)
    ).all()
    return [_line(response, instance.title) for response, instance in rows]


# --- the quota ----------------------------------------------------------------------------------

def check_quota(user_id: str) -> int | None:
    """Email the owner when usage crossed 80% or 100% of the period's allowance; returns the level emailed.

    The stored level rises only after the email was sent (`quota_notice_level < level`), so each
    level goes out once a period; usage below it lowers it silently.
    """
    key = f"quota:{user_id}"
    with claimed(key):
        db.session.rollback()
        owner = db.session.get(Profile, user_id)
        if owner is None:
            return None
        numbers = usage(owner)
        level, previous = numbers.notice_level, owner.quota_notice_level
        if level < previous:
            lower_notice_level(user_id, level)
            return None
        if level == previous or not _notifiable(owner):
            return None
        body = render_email("quota", level=level, usage=numbers, billing=external_url("billing.index"))
        subject = ("You have used all your Franko responses this period" if level == 100
                   else f"You have used {numbers.percent}% of your Franko responses this period")
        table = Profile.__table__
        _send(owner.email, subject, body, None,  # a level may come again next period: no fixed Message-ID
              sa.update(table).where(table.c.user_id == user_id, table.c.quota_notice_level < level)
              .values(quota_notice_level=level))
    return level


# --- the owner's choice -------------------------------------------------------------------------

def set_notify_mode(user_id: str, mode: str, now: datetime | None = None) -> bool:
    """Store the owner's notification mode; True when it changed. The caller commits.

    Switching to the digest starts its window now, so it never repeats the per-response emails
    (nor lists a month of responses when the digest is turned back on).
    """
    if mode not in NOTIFY_MODES:
        raise UnknownMode(mode)
    table = Profile.__table__
    values = {"notify_mode": mode}
    if mode == "daily":
        values["digest_sent_at"] = now or utcnow()
    return db.session.execute(sa.update(table).where(table.c.user_id == user_id, table.c.notify_mode != mode)
                              .values(**values)).rowcount == 1
