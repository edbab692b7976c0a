"""Notification rules: who gets which email, each claimed once with a conditional UPDATE before it is sent.

Every email here is sent from the worker with `send_email` (not queued again with `send_template`):
the claim (`notified_at`, `digest_sent_at`, `quota_notice_level`) is committed first, so a second
run of the job finds it taken, and released when the mail server fails, so the job's retry sends
it. Only verified addresses get notifications: an unverified one may be someone else's.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from franko.extensions import db
from franko.mail.services import render_email, send_email
from franko.models import NOTIFY_MODES, ChatInstance, ChatResponse, Profile, utcnow
from franko.plans import lower_notice_level, usage
from franko.urls import external_url

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


def _send_claimed(to: str, subject: str, body: str, release: sa.Update) -> None:
    """Commit the claim just made and send; if the server fails, undo the claim and raise NotSent."""
    db.session.commit()
    subject = " ".join(subject.split())  # typed names and titles never break the header onto a new line
    try:
        if not send_email(to, subject, body):
            raise NotSent(f"notification to {to} ({subject}) not sent")
    except Exception:
        db.session.rollback()
        db.session.execute(release)
        db.session.commit()
        raise


def _notifiable(profile: Profile | None) -> bool:
    return profile is not None and bool(profile.email) and profile.email_verified


def _line(response: ChatResponse, title: str) -> ResponseLine:
    name = " ".join(n for n in (response.interviewee_first_name, response.interviewee_second_name) if n)
    summary = response.summary
    return ResponseLine(title, name or "An interviewee", response.total_interview_minutes, response.completion_status,
                        summary.text if summary else None, tuple(summary.quotes) if summary else (),
                        external_url("responses.show", response_id=response.id), response.interview_end_time)


# --- one email per completed response -----------------------------------------------------------

def notify_response(response_id: str) -> bool:
    """Email the owner about a completed response when their mode is "each"; True when this call sent it."""
    response = db.session.get(ChatResponse, uuid.UUID(str(response_id)))
    if response is None or response.status != "completed" or response.notified_at is not None:
        return False
    owner = db.session.get(Profile, response.user_id)
    if not _notifiable(owner) or owner.notify_mode != "each":
        return False
    line = _line(response, response.instance.title)
    body = render_email("response_completed", line=line, settings=external_url("notifications.edit"))
    now = utcnow()
    table = ChatResponse.__table__
    claimed = db.session.execute(sa.update(table).where(table.c.id == response.id, table.c.notified_at.is_(None))
                                 .values(notified_at=now)).rowcount
    if not claimed:
        db.session.rollback()
        return False
    _send_claimed(owner.email, f"New response: {line.interviewee} completed \"{line.instance_title}\"", body,
                  sa.update(table).where(table.c.id == response.id, table.c.notified_at == now)
                  .values(notified_at=None))
    return True


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
    """Claim the owner's digest due at `now` and email what completed since the last one.

    Returns how many responses it listed (0: the claim stands, no email), None when it was not
    due (sent already, or the owner left daily mode). The first digest covers the day before.
    """
    cutoff = digest_cutoff(now)
    owner = db.session.get(Profile, user_id)
    if cutoff is None or owner is None:
        return None
    since = owner.digest_sent_at or now - timedelta(days=1)
    previous = owner.digest_sent_at
    table = Profile.__table__
    claimed = db.session.execute(sa.update(table).where(table.c.user_id == user_id, _due(cutoff))
                                 .values(digest_sent_at=now)).rowcount
    if not claimed:
        db.session.rollback()
        return None
    lines = completed_between(user_id, since, now)
    if not lines:
        db.session.commit()
        return 0
    body = render_email("digest", lines=lines, since=since, now=now,
                           settings=external_url("notifications.edit"))
    subject = f"Your Franko digest: {len(lines)} new response{'s' if len(lines) != 1 else ''}"
    _send_claimed(owner.email, subject, body,
                  sa.update(table).where(table.c.user_id == user_id, table.c.digest_sent_at == now)
                  .values(digest_sent_at=previous))
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

    The stored level only rises through a conditional UPDATE (`quota_notice_level < level`), so
    each level goes out once a period; usage below it lowers it silently.
    """
    owner = db.session.get(Profile, user_id)
    if owner is None:
        return None
    numbers = usage(owner)
    level, previous = numbers.notice_level, owner.quota_notice_level
    if level < previous:
        lower_notice_level(user_id, level)
        db.session.commit()
        return None
    if level == previous or not _notifiable(owner):
        return None
    body = render_email("quota", level=level, usage=numbers, billing=external_url("billing.index"))
    table = Profile.__table__
    claimed = db.session.execute(sa.update(table).where(table.c.user_id == user_id, table.c.quota_notice_level < level)
                                 .values(quota_notice_level=level)).rowcount
    if not claimed:
        db.session.rollback()
        return None
    subject = ("You have used all your Franko responses this period" if level == 100
               else f"You have used {numbers.percent}% of your Franko responses this period")
    _send_claimed(owner.email, subject, body,
                  sa.update(table).where(table.c.user_id == user_id, table.c.quota_notice_level == level)
                  .values(quota_notice_level=previous))
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
