"""Guide versions: every saved text of a guide, numbered per instance; interviews keep the one they started on."""
from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from franko.database import insert_ignoring_duplicates
from franko.extensions import db
from franko.guide import Guide, parse_guide
from franko.models import ChatInstance, ChatResponse, GuideVersion
from franko.clock import utcnow


def record_version(instance: ChatInstance) -> int | None:
    """The number of the version holding the instance's current guide, recorded as a new one if it changed.

    Called when a guide is saved and when an interview starts (guides written before versions, or
    by an import, get their first version then). None for an instance without a guide.
    """
    text = instance.interview_guide
    latest = db.session.execute(
        sa.select(GuideVersion.number, GuideVersion.guide)
        .where(GuideVersion.chat_instance_id == instance.id)
        .order_by(GuideVersion.number.desc()).limit(1)
    ).first()
    if latest and latest.guide == text:
        return latest.number
    if not text:
        return latest.number if latest else None
    number = (latest.number if latest else 0) + 1
    # Two requests recording the same version both succeed (ON CONFLICT DO NOTHING).
    db.session.execute(insert_ignoring_duplicates(
        GuideVersion, chat_instance_id=instance.id, number=number, guide=text, created_at=utcnow()))
    return number


def version_text(instance_id: uuid.UUID, number: int) -> str | None:
    return db.session.scalar(sa.select(GuideVersion.guide).where(
        GuideVersion.chat_instance_id == instance_id, GuideVersion.number == number))


def guide_of(response: ChatResponse, instance: ChatInstance) -> Guide:
    """The guide a response runs on: the version it started on, else (older interviews) the current one."""
    if response.guide_version is not None:
        text = version_text(instance.id, response.guide_version)
        if text is not None:
            return parse_guide(text)
    return instance.guide


@dataclass(frozen=True)
class VersionRow:
    number: int
    created_at: datetime
    question_count: int
    response_count: int


def list_versions(instance_id: uuid.UUID) -> list[VersionRow]:
    """The instance's versions, newest first, each with how many responses started on it (one query)."""
    responses = (
        sa.select(sa.func.count(ChatResponse.id))
        .where(ChatResponse.chat_instance_id == GuideVersion.chat_instance_id,
               ChatResponse.guide_version == GuideVersion.number)
        .correlate(GuideVersion).scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(GuideVersion.number, GuideVersion.created_at, GuideVersion.guide, responses)
        .where(GuideVersion.chat_instance_id == instance_id).order_by(GuideVersion.number.desc())
    ).all()
    return [VersionRow(r.number, r.created_at, len(parse_guide(r.guide)), r[3]) for r in rows]


@dataclass(frozen=True)
class DiffRow:
    """One line of a side-by-side comparison; `tag` is equal, replace, delete or insert."""

    tag: str
    left: str | None
    right: str | None


def compare(left: str, right: str) -> list[DiffRow]:
    """Two guide texts line by line, aligned, for showing side by side."""
    a, b = left.split("\n"), right.split("\n")
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow(tag, a[i], b[j]) for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for n in range(max(len(olds), len(news))):
            old = olds[n] if n < len(olds) else None
            new = news[n] if n < len(news) else None
            rows.append(DiffRow("replace" if old is not None and new is not None else
                                "delete" if new is None else "insert", old, new))
    return rows
