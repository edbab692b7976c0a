"""Deleting responses completely (§14): the rows, and everything derived from them, in the caller's transaction.

The database's foreign keys take what hangs off a response (its question records and its webhook
deliveries, bodies included: ON DELETE CASCADE). What no key reaches is deleted here: the queue's
jobs about the responses, the legacy archive's copies of imported interviews, and the themes,
recomputed at once (offline) without them so no theme counts, links or quotes them.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from franko.database import escape_like
from franko.extensions import db
from franko.insights import llm, themes
from franko.insights.jobs import refresh_themes
from franko.jobs.models import QueuedJob
from franko.models import ChatInstance, ChatResponse, LegacyArchive, WebhookDelivery


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed, counted (the audit log's detail)."""

    responses: int
    instances: tuple[str, ...]
    jobs: int


def delete_responses(ids: Iterable[uuid.UUID]) -> Deleted:
    """Delete these responses with everything derived from them; flushes, the caller commits."""
    ids = list(ids)
    if not ids:
        return Deleted(0, (), 0)
    rows = db.session.execute(sa.select(ChatResponse.id, ChatResponse.chat_instance_id, ChatResponse.interviewee_email)
                              .where(ChatResponse.id.in_(ids))).all()
    found = [row.id for row in rows]
    instances = sorted({row.chat_instance_id for row in rows}, key=str)
    deliveries = list(db.session.scalars(sa.select(WebhookDelivery.id).where(WebhookDelivery.chat_response_id.in_(found))))
    jobs = _delete_jobs(found + deliveries, [row.interviewee_email for row in rows if row.interviewee_email])
    _delete_archived_copies(found)
    deleted = db.session.execute(sa.delete(ChatResponse).where(ChatResponse.id.in_(found))
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.expire_all()  # objects loaded before now may be gone
    for instance_id in instances:
        recompute_themes(instance_id)
    db.session.flush()
    return Deleted(deleted, tuple(str(i) for i in instances), jobs)


def _delete_jobs(ids: list[uuid.UUID], emails: list[str]) -> int:
    """The queue's jobs naming these responses or their deliveries (summaries, emails, sending) or these interviewees' emails."""
    needles = [str(i) for i in ids] + [i.hex for i in ids] + emails
    if not needles:
        return 0
    matches = [QueuedJob.args.like(f"%{escape_like(needle)}%", escape="\\") for needle in needles]
    total = 0
    for start in range(0, len(matches), 200):  # a bounded statement however many responses
        total += db.session.execute(sa.delete(QueuedJob).where(sa.or_(*matches[start:start + 200]))
                                    .execution_options(synchronize_session=False)).rowcount
    return total


def _delete_archived_copies(response_ids: list[uuid.UUID]) -> None:
    """The upgrade's archived copies of imported interviews (legacy `interviews` rows, their reconciled values)."""
    keys = [str(i) for i in response_ids] + [i.hex for i in response_ids]
    for start in range(0, len(keys), 500):
        db.session.execute(sa.delete(LegacyArchive).where(
            LegacyArchive.source_table.like("interviews%"), LegacyArchive.source_pk.in_(keys[start:start + 500]))
            .execution_options(synchronize_session=False))


def recompute_themes(instance_id: uuid.UUID) -> None:
    """The instance's themes from the responses left, now (offline); the model's, when one is set, by a forced job."""
    computed = themes.compute(themes.sources_of(instance_id), None)
    db.session.execute(sa.update(ChatInstance).where(ChatInstance.id == instance_id)
                       .values(themes=computed, updated_at=ChatInstance.updated_at)  # not an edit of the instance
                       .execution_options(synchronize_session=False))
    if llm.settings(current_app.config) is not None:
        refresh_themes.enqueue(str(instance_id), True)
