"""Responses: a page of an instance's interviews, the CSV export, reading a transcript."""
import csv
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import load_only

from franko.extensions import db
from franko.models import RESPONSE_STATUSES, ChatInstance, ChatResponse

STATUSES = RESPONSE_STATUSES
EXPORT_BATCH = 500
# What a spreadsheet would run as a formula: =, +, -, @ and the tab / CR that some apps strip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Page:
    items: list[ChatResponse]
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def _filtered(instance_id: uuid.UUID, status: str | None):
    stmt = sa.select(ChatResponse).where(ChatResponse.chat_instance_id == instance_id)
    if status:
        stmt = stmt.where(ChatResponse.status == status)
    return stmt


def responses_page(instance_id: uuid.UUID, status: str | None, number: int, per_page: int) -> Page:
    """One page, newest first, read off the (instance, created_at) index.

    Nothing counts the rows: one more row than a page is fetched to know whether a next page
    exists, and the large text columns (conversation, transcript) are not loaded.
    """
    number = max(number, 1)
    rows = db.session.scalars(
        _filtered(instance_id, status)
        .options(load_only(
            ChatResponse.id, ChatResponse.chat_instance_id, ChatResponse.status,
            ChatResponse.completion_status, ChatResponse.interviewee_first_name,
            ChatResponse.interviewee_second_name, ChatResponse.interviewee_email,
            ChatResponse.interview_start_time, ChatResponse.total_interview_minutes, ChatResponse.created_at,
            ChatResponse.guide_version,
        ))
        .order_by(ChatResponse.created_at.desc(), ChatResponse.id.desc())
        .offset((number - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return Page(rows[:per_page], number, len(rows) > per_page)


def get_owned_response(response_id: uuid.UUID, user_id: str) -> tuple[ChatResponse, ChatInstance]:
    """The response and its instance in one query, if `user_id` owns them; 404 otherwise."""
    row = db.session.execute(
        sa.select(ChatResponse, ChatInstance)
        .join(ChatInstance, ChatResponse.chat_instance_id == ChatInstance.id)
        .where(ChatResponse.id == response_id, ChatResponse.user_id == user_id)
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def delete_response(response: ChatResponse) -> None:
    """Delete one response. The quota is not given back: the interview took place."""
    db.session.delete(response)
    db.session.commit()


# --- CSV export --------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("response_id", ChatResponse.id),
    ("status", ChatResponse.status),
    ("coverage", ChatResponse.completion_status),
    ("interviewee_first_name", ChatResponse.interviewee_first_name),
    ("interviewee_second_name", ChatResponse.interviewee_second_name),
    ("interviewee_email", ChatResponse.interviewee_email),
    ("interview_start_time_utc", ChatResponse.interview_start_time),
    ("interview_end_time_utc", ChatResponse.interview_end_time),
    ("total_interview_minutes", ChatResponse.total_interview_minutes),
    ("created_at_utc", ChatResponse.created_at),
    ("clean_transcript", ChatResponse.clean_transcript),
)


def spreadsheet_safe(value) -> str:
    """A cell's text, with a leading ' where a spreadsheet would otherwise run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like object whose write() hands back the line csv.writer formatted."""

    def write(self, value: str) -> str:
        return value


def export_rows(instance_id: uuid.UUID, status: str | None) -> Iterator[str]:
    """The CSV of what the filter selects, newest first, line by line.

    Rows are fetched in batches (a server-side cursor on PostgreSQL), so an export of any size
    never sits in memory. A BOM first tells spreadsheet apps the file is UTF-8.
    """
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([name for name, _ in EXPORT_COLUMNS])
    stmt = sa.select(*(column for _, column in EXPORT_COLUMNS)).where(ChatResponse.chat_instance_id == instance_id)
    if status:
        stmt = stmt.where(ChatResponse.status == status)
    stmt = stmt.order_by(ChatResponse.created_at.desc(), ChatResponse.id.desc())
    result = db.session.execute(stmt, execution_options={"yield_per": EXPORT_BATCH})
    for partition in result.partitions():
        yield "".join(writer.writerow([spreadsheet_safe(v) for v in row]) for row in partition)


def export_filename(instance: ChatInstance, status: str | None) -> str:
    """An ASCII file name from the instance's title, e.g. franko-customer-discovery-completed.csv."""
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in instance.title.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "responses"
    return f"franko-{slug}{'-' + status if status else ''}.csv"
