"""Responses: a page of an instance's interviews (filtered, searched), the CSV export, reading a transcript."""
import csv
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from franko import audit
from franko.database import Page, escape_like
from franko.exceptions import NotOwned
from franko.extensions import db
from franko.guide import parse_guide, plain_text
from franko.guide_versions import guide_of
from franko.interview.records import SKIPPED, Mark, answer_texts, message_marks, question_records
from franko.interview.services import clean_transcript
from franko.models import RESPONSE_STATUSES, ChatInstance, ChatResponse
from franko.privacy.deletion import delete_responses
from franko.redaction.marks import masked_notes
from franko.redaction.settings import mask_text, settings_of

STATUSES = RESPONSE_STATUSES
EXPORT_BATCH = 500
# What a spreadsheet would run as a formula: =, +, -, @ and the tab / CR that some apps strip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SKIPPED_CELL = "(skipped)"  # a question's cell when the interviewee refused it


SEARCH_MAX_LENGTH = 100


def search_text() -> sa.ColumnElement[str]:
    """Name, email and conversation, lower-cased: the expression the trigram index (0007) is built on.

    Its constants are literals, not parameters, so PostgreSQL's planner matches it to the index.
    """
    r, blank, space = ChatResponse, sa.literal_column("''"), sa.literal_column("' '")
    stored = sa.type_coerce(ChatResponse.__table__.c.messages_json, sa.Text)  # the conversation as stored text
    return sa.func.lower(
        sa.func.coalesce(r.interviewee_first_name, blank) + space + sa.func.coalesce(r.interviewee_second_name, blank)
        + space + sa.func.coalesce(r.interviewee_email, blank) + space + sa.func.coalesce(stored, blank)
    )


@dataclass(frozen=True)
class Filters:
    """What the owner asked the list (and its CSV) for, every value checked; `errors` name what was ignored."""

    status: str | None = None
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> "Filters":
        errors: dict[str, str] = {}
        status = (args.get("status") or "").strip() or None
        if status and status not in STATUSES:
            errors["status"], status = "Unknown status: showing every response.", None
        dates = {}
        for name in ("from", "to"):
            raw = (args.get(name) or "").strip()
            try:
                dates[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[name], dates[name] = "Enter a date as YYYY-MM-DD.", None
        if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
            errors["to"], dates["to"] = "The end date is before the start date.", None
        return cls(status, (args.get("q") or "").strip()[:SEARCH_MAX_LENGTH], dates["from"], dates["to"], errors)

    @property
    def active(self) -> bool:
        return bool(self.status or self.search or self.date_from or self.date_to)

    def args(self, **changes) -> dict:
        """Query-string arguments of this filter, with `changes` (for links)."""
        values = {"status": self.status, "q": self.search or None,
                  "from": self.date_from.isoformat() if self.date_from else None,
                  "to": self.date_to.isoformat() if self.date_to else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    def where(self, instance_id: uuid.UUID) -> list:
        """The conditions: one instance; its status; a day range (UTC, both days included); the search."""
        conditions = [ChatResponse.chat_instance_id == instance_id]
        if self.status:
            conditions.append(ChatResponse.status == self.status)
        if self.date_from:
            conditions.append(ChatResponse.created_at >= datetime.combine(self.date_from, time()))
        if self.date_to:
            conditions.append(ChatResponse.created_at < datetime.combine(self.date_to + timedelta(days=1), time()))
        if self.search:
            term = self.search.lower()
            # The conversation is stored as JSON, where json.dumps writes é as \u00e9: look for both spellings.
            spellings = {term, json.dumps(term)[1:-1]}
            conditions.append(sa.or_(*(search_text().like(f"%{escape_like(s)}%", escape="\\") for s in sorted(spellings))))
        return conditions


def _filtered(instance_id: uuid.UUID, filters: Filters):
    return sa.select(ChatResponse).where(*filters.where(instance_id))


def responses_page(instance_id: uuid.UUID, filters: Filters, number: int, per_page: int) -> Page:
    """One page, newest first, read off the (instance, created_at) index.

    Nothing counts the rows: one more row than a page is fetched to know whether a next page
    exists, and the large text columns (conversation, transcript) are not loaded.
    """
    number = max(number, 1)
    rows = db.session.scalars(
        _filtered(instance_id, filters)
        .options(load_only(
            ChatResponse.id, ChatResponse.chat_instance_id, ChatResponse.status,
            ChatResponse.completion_status, ChatResponse.interviewee_first_name,
            ChatResponse.interviewee_second_name, ChatResponse.interviewee_email,
            ChatResponse.interview_start_time, ChatResponse.total_interview_minutes, ChatResponse.created_at,
            ChatResponse.charged_at,
            ChatResponse.guide_version,
        ))
        .order_by(ChatResponse.created_at.desc(), ChatResponse.id.desc())
        .offset((number - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return Page(rows[:per_page], number, len(rows) > per_page)


def get_owned_response(response_id: uuid.UUID, user_id: str) -> tuple[ChatResponse, ChatInstance]:
    """The response and its instance in one query, if `user_id` owns them; NotOwned (a 404) otherwise."""
    row = db.session.execute(
        sa.select(ChatResponse, ChatInstance)
        .join(ChatInstance, ChatResponse.chat_instance_id == ChatInstance.id)
        .where(ChatResponse.id == response_id, ChatResponse.user_id == user_id)
    ).first()
    if row is None:
        raise NotOwned()
    return row[0], row[1]


@dataclass(frozen=True)
class QuestionRow:
    """One guide question as the response page lists it: what happened to it, and the messages that show it."""

    number: int  # 1-based
    text: str
    state: str  # "not asked", "asked", "answered" or "skipped"
    asked_message: int | None = None
    resolved_message: int | None = None
    clarifications: int = 0
    probes: int = 0
    redirects: int = 0


def transcript_view(response: ChatResponse, instance: ChatInstance) -> tuple[list[QuestionRow], dict]:
    """The response page's per-question list (from the stored records) and each message's mark, by message index."""
    records = {r.question: r for r in response.questions}
    if not records:  # nothing recorded (an imported conversation): no list, no marks
        return [], {}
    guide = guide_of(response, instance)
    rows = []
    for i, question in enumerate(guide.questions):
        r = records.get(i)
        rows.append(QuestionRow(i + 1, plain_text(question.text), "not asked") if r is None else QuestionRow(
            i + 1, plain_text(question.text), r.state, r.asked_message, r.resolved_message, r.clarifications, r.probes,
            r.redirects))
    messages = list(response.conversation)
    marks = message_marks(messages, len(guide))
    for index, note in masked_notes(messages).items():  # "Answer · 2 masked: email, phone"
        marks[index] = replace(marks[index], label=f"{marks[index].label} · {note}") if index in marks else Mark(note)
    return rows, marks


def delete_response(response: ChatResponse) -> None:
    """Delete one response (the quota is not given back: the interview took place); its instance's themes are redone.

    Completely (§14, franko.privacy.deletion): what derives from it too (the themes recomputed at once, and
    by the model in a forced job when one is set), and an audit line (no content).
    """
    owner_id, instance_id = response.user_id, response.chat_instance_id
    delete_responses([response.id])
    audit.record("response.deleted", actor_id=owner_id, owner_id=owner_id, subject=f"instance {instance_id}",
                 detail={"instance": str(instance_id)})


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
    ("charged_at_utc", ChatResponse.charged_at),
    ("clean_transcript", ChatResponse.clean_transcript),  # last: the conversation so far when not completed
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


def export_rows(instance: ChatInstance, filters: Filters) -> Iterator[str]:
    """The CSV of what the filter selects, newest first, line by line: one row per response.

    After the response's own columns come one column per guide question, holding the
    interviewee's answers to it (follow-ups included; "(skipped)" when refused: see
    answers_by_question), so an interview still in progress exports what it has so far. Rows
    are fetched in batches (a server-side cursor on PostgreSQL), so an export of any size never
    sits in memory. A BOM first tells spreadsheet apps the file is UTF-8.
    """
    redaction = settings_of(instance)
    masked = redaction.masks("csv")  # the free text (transcript, answers) masked as the owner chose
    questions = [question.text for question in parse_guide(instance.interview_guide).questions]
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([name for name, _ in EXPORT_COLUMNS]
                                     + [f"Q{n}: {question}" for n, question in enumerate(questions, 1)])
    stmt = (sa.select(*(column for _, column in EXPORT_COLUMNS), ChatResponse.conversation)
            .where(*filters.where(instance.id))
            .order_by(ChatResponse.created_at.desc(), ChatResponse.id.desc()))
    result = db.session.execute(stmt, execution_options={"yield_per": EXPORT_BATCH})
    transcript_at = len(EXPORT_COLUMNS) - 1
    for partition in result.partitions():
        lines = []
        for row in partition:
            values, conversation = list(row[:-1]), row[-1]
            messages = list(conversation) if conversation is not None else []
            if not values[transcript_at]:  # not completed yet: the conversation so far
                values[transcript_at] = (clean_transcript(messages, values[3]) if messages
                                         else conversation.text if conversation is not None else None)
            answers = answers_by_question(messages, len(questions))
            if masked:
                values[transcript_at] = mask_text(values[transcript_at], redaction)
                answers = [mask_text(a, redaction) for a in answers]
            cells = values + answers
            lines.append(writer.writerow([spreadsheet_safe(v) for v in cells]))
        yield "".join(lines)


def answers_by_question(messages: list[dict], count: int) -> list[str]:
    """One cell per guide question, by the question records' rule (franko.interview.records): the
    interviewee's answers to it, follow-up answers joined to the first; "(skipped)" for a question
    refused; empty when not asked or not answered. Clarification requests, questions back and
    attempts to redirect the interviewer are no answers. Conversations without question tags
    (legacy) give empty cells."""
    states = {r.question: r.state for r in question_records(messages, count)}
    return [SKIPPED_CELL if states.get(n) == SKIPPED else " / ".join(texts)
            for n, texts in enumerate(answer_texts(messages, count))]


def export_filename(instance: ChatInstance, status: str | None = None) -> str:
    """An ASCII file name from the instance's title, e.g. franko-customer-discovery-completed.csv."""
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in instance.title.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "responses"
    return f"franko-{slug}{'-' + status if status else ''}.csv"


def neighbours(response: ChatResponse) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The newer and the older response of the same instance (the list's order), for previous / next."""
    key = sa.tuple_(ChatResponse.created_at, ChatResponse.id)
    here = sa.tuple_(sa.literal(response.created_at), sa.literal(response.id, ChatResponse.id.type))
    same = ChatResponse.chat_instance_id == response.chat_instance_id
    newer = db.session.scalar(sa.select(ChatResponse.id).where(same, key > here)
                              .order_by(ChatResponse.created_at, ChatResponse.id).limit(1))
    older = db.session.scalar(sa.select(ChatResponse.id).where(same, key < here)
                              .order_by(ChatResponse.created_at.desc(), ChatResponse.id.desc()).limit(1))
    return newer, older
