"""Privacy rules (§14): an instance's notice and retention, the retention run, the interviewee's own data.

Services flush and raise domain errors; routes, the job and the CLI commit.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from franko import audit
from franko.exceptions import PrivacyError, ResponseGone
from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, utcnow
from franko.privacy.deletion import delete_responses

MAX_NOTICE_CHARS = 20_000
MAX_RETENTION_DAYS = 3650
RETENTION_MINUTE = 17  # the retention job runs every hour at this minute (UTC)
DELETED_BY_INTERVIEWEE = "response.deleted_by_interviewee"
SIDES = {"agent": "interviewer", "interviewee": "you"}


# --- the instance's settings ---------------------------------------------------------------------

def save_settings(instance: ChatInstance, notice: str | None, retention_days: int | None,
                  actor_id: str | None = None) -> bool:
    """Set the notice (its version goes up when its text changes) and the retention; True when anything changed."""
    notice = (notice or "").replace("\r\n", "\n").strip() or None
    if notice is not None and len(notice) > MAX_NOTICE_CHARS:
        raise PrivacyError(f"Please keep the notice under {MAX_NOTICE_CHARS:,} characters.")
    if retention_days is not None and not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise PrivacyError(f"Keep responses between 1 and {MAX_RETENTION_DAYS:,} days, or leave it empty.")
    changed = {}
    if notice != instance.privacy_notice:
        instance.privacy_notice = notice
        instance.privacy_notice_version = (instance.privacy_notice_version or 0) + 1
        changed["notice_version"] = instance.privacy_notice_version
    if retention_days != instance.retention_days:
        instance.retention_days = retention_days
        changed["retention_days"] = retention_days
    if changed:
        audit.record("privacy.settings_changed", actor_id=actor_id, owner_id=instance.user_id,
                     subject=f"instance {instance.id}", detail=changed)
    db.session.flush()
    return bool(changed)


# --- retention -----------------------------------------------------------------------------------

def next_retention_run(now: datetime) -> datetime:
    """When the hourly retention job next runs (UTC)."""
    run = now.replace(minute=RETENTION_MINUTE, second=0, microsecond=0)
    return run if run > now else run + timedelta(hours=1)


def retention_cutoff(days: int, now: datetime) -> datetime:
    return now - timedelta(days=days)


@dataclass(frozen=True)
class Policy:
    """What the instance page says about retention: the days, the next run, how many responses it would delete now."""

    days: int | None
    next_run: datetime | None
    due: int


def policy(instance: ChatInstance, now: datetime | None = None) -> Policy:
    now = now or utcnow()
    if not instance.retention_days:
        return Policy(None, None, 0)
    due = db.session.scalar(sa.select(sa.func.count()).select_from(ChatResponse).where(
        ChatResponse.chat_instance_id == instance.id,
        ChatResponse.created_at < retention_cutoff(instance.retention_days, now)))
    return Policy(instance.retention_days, next_retention_run(now), due or 0)


def instances_with_retention() -> list[tuple[uuid.UUID, str, int]]:
    """(id, owner, days) of every instance with a retention period."""
    rows = db.session.execute(sa.select(ChatInstance.id, ChatInstance.user_id, ChatInstance.retention_days)
                              .where(ChatInstance.retention_days.is_not(None)).order_by(ChatInstance.id)).all()
    return [(row.id, row.user_id, row.retention_days) for row in rows]


def expired_batch(instance_id: uuid.UUID, days: int, now: datetime, size: int) -> list[uuid.UUID]:
    """Up to `size` ids of the instance's responses created more than `days` days before `now`, oldest first."""
    return list(db.session.scalars(
        sa.select(ChatResponse.id).where(ChatResponse.chat_instance_id == instance_id,
                                         ChatResponse.created_at < retention_cutoff(days, now))
        .order_by(ChatResponse.created_at).limit(size)))


def delete_expired_batch(instance_id: uuid.UUID, days: int, now: datetime, size: int) -> int:
    """Delete one batch of the instance's expired responses; returns how many (0: none left). Flushes."""
    ids = expired_batch(instance_id, days, now, size)
    return delete_responses(ids).responses if ids else 0


def record_retention_run(instance_id: uuid.UUID, owner_id: str, days: int, deleted: int, batches: int) -> None:
    """The audit line of one instance's retention run: counts, no content."""
    audit.record("retention.deleted", owner_id=owner_id, subject=f"instance {instance_id}",
                 detail={"instance": str(instance_id), "responses": deleted, "batches": batches,
                         "retention_days": days})


# --- the interviewee's own data ------------------------------------------------------------------

def get_response(response_id: uuid.UUID) -> ChatResponse:
    response = db.session.get(ChatResponse, response_id)
    if response is None:
        raise ResponseGone("This interview was deleted.")
    return response


def transcript_json(response: ChatResponse) -> dict:
    """Everything the interview holds about the interviewee, as they download it."""
    conversation = response.conversation
    return {
        "response_id": str(response.id),
        "interview": response.instance.title,
        "interviewee": {"first_name": response.interviewee_first_name, "second_name": response.interviewee_second_name,
                        "email": response.interviewee_email},
        "status": response.status,
        "started_at": _iso(response.interview_start_time), "ended_at": _iso(response.interview_end_time),
        "consent": {"notice_version": response.consent_notice_version, "at": _iso(response.consented_at)},
        "messages": [{"role": SIDES.get(e.side, e.side), "content": e.content, "at": _iso(e.at)}
                     for e in conversation.entries()] if conversation is not None else [],
        "text": conversation.text if conversation is not None and conversation.text else None,
        "summary": response.summary.to_json() if response.summary else None,
    }


def transcript_text(response: ChatResponse) -> str:
    data = transcript_json(response)
    lines = [f"{data['interview']}", f"Started: {data['started_at'] or '-'}  Ended: {data['ended_at'] or '-'}", ""]
    for m in data["messages"]:
        lines.append(f"{m['role'].capitalize()}: {' '.join(str(m['content']).split())}")
    if data["text"]:
        lines.append(data["text"])
    return "\n".join(lines) + "\n"


def transcript_download(response: ChatResponse, kind: str) -> tuple[str, str]:
    """(body, mimetype) of the download, JSON or text; the owner's audit log notes it (no content)."""
    if kind == "json":
        body, mimetype = json.dumps(transcript_json(response), ensure_ascii=False, indent=2), "application/json"
    elif kind == "txt":
        body, mimetype = transcript_text(response), "text/plain"
    else:
        raise PrivacyError(f"no such download: {kind}")
    audit.record("response.downloaded_by_interviewee", owner_id=response.user_id,
                 subject=f"instance {response.chat_instance_id}", detail={"format": kind})
    return body, mimetype


def delete_by_interviewee(response_id: uuid.UUID) -> None:
    """The interviewee's erasure: the response and all derived from it; the quota keeps the charge; an audit line."""
    response = get_response(response_id)
    owner_id, instance_id, charged = response.user_id, response.chat_instance_id, response.charged_at is not None
    deleted = delete_responses([response_id])
    audit.record(DELETED_BY_INTERVIEWEE, owner_id=owner_id, subject=f"instance {instance_id}",
                 detail={"instance": str(instance_id), "charged": charged, "jobs": deleted.jobs})


@dataclass(frozen=True)
class Deletions:
    """The owner's line on an instance's responses page: how many the interviewees deleted, the latest when."""

    count: int
    latest: datetime | None


def interviewee_deletions(instance: ChatInstance) -> Deletions:
    """Read off the owner's audit lines (their index), those about this instance."""
    from franko.audit.models import AuditEntry

    count, latest = db.session.execute(sa.select(sa.func.count(), sa.func.max(AuditEntry.at)).where(
        AuditEntry.owner_id == instance.user_id, AuditEntry.action == DELETED_BY_INTERVIEWEE,
        AuditEntry.subject == f"instance {instance.id}")).one()
    return Deletions(count or 0, latest)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"
