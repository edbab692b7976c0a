"""Interview rules: who may start, taking an answer (and charging the owner for the first), completion.

Taking an answer is two short transactions around the agent: a read, then the agent thinks (an
LLM may take seconds; no lock is held meanwhile), then one write that opens with an UPDATE of the
response row. That UPDATE serialises answers to the same response (PostgreSQL row lock; SQLite's
write lock, taken first so its busy timeout applies), and the write is refused if the conversation
moved on in between (a double submit). These functions never commit: the route ends each
transaction where their docstrings say.
"""
from __future__ import annotations

import enum
import logging
import math
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from franko import metrics
from franko.conversation import Conversation
from franko.exceptions import NotFound
from franko.extensions import db
from franko.guide import Guide, parse_guide, plain_text
from franko.guide_versions import guide_of, record_version
from franko.interview.agent import Context, DefaultAgent, Turn, agent_from_config, next_turn
from franko.interview.moves import Move, last_question
from franko.interview.jobs import after_completion
from franko.interview.progress import sync_records
from franko.models import ChatInstance, ChatResponse, Profile
from franko.clock import utcnow
from franko.notifications.jobs import check_quota
from franko.plans import charge_response
from franko.redaction.settings import RedactionSettings, mask_messages, redact_text, settings_of

log = logging.getLogger(__name__)
MAX_ANSWER_CHARS = 5000
MINUTES_PER_QUESTION = 2  # the start page's estimate: a written answer and its follow-up
NO_CREDIT_MESSAGE = ("Thank you for your time, {name}. Unfortunately {organisation} cannot take more interviews "
                     "at the moment, so this interview ends here. Nothing more will be asked; you can close this page.")


class Outcome(enum.Enum):
    ANSWERED = "answered"      # the answer and the agent's reply were stored
    IGNORED = "ignored"        # an empty answer: nothing changed
    CLOSED = "closed"          # the interview had already ended: nothing changed
    CONFLICT = "conflict"      # another answer to this response arrived first: nothing changed
    NO_CREDIT = "no_credit"    # the owner had no credit left: the interview closed politely


@dataclass
class AnswerResult:
    outcome: Outcome
    new_messages: list[dict] = field(default_factory=list)
    finished: bool = False  # the interview is over (completed or closed)
    progress: dict | None = None
    replayed: bool = False  # the same answer (by its key) was stored before: this is what was stored then

    @property
    def kept(self) -> bool:
        """Whether store_answer wrote what is to be committed (else its caller rolls back: nothing changed)."""
        return self.outcome in (Outcome.ANSWERED, Outcome.NO_CREDIT) and not self.replayed


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC, as stored in the conversation."""
    return moment.isoformat(timespec="seconds") + "Z"


def public_messages(messages) -> list[dict]:
    """The messages as shown to the interviewee: role, content, time."""
    return [{"role": m.get("role"), "content": m.get("content", ""), "at": m.get("at")} for m in messages]


def progress(conversation, total: int) -> dict:
    """Where the interview stands: {"question": 3, "total": 8, "done": False} is "question 3 of 8"."""
    current = last_question(conversation)
    closed = bool(conversation) and conversation.messages[-1].get("role") == "assistant" \
        and conversation.messages[-1].get("question") is None
    if closed:
        current = max((m.get("question") or 0 for m in conversation if m.get("role") == "assistant"), default=0)
    return {"question": min((current or 0) + 1, total) if total else 0, "total": total, "done": closed}


def estimate_minutes(question_count: int) -> int:
    return max(2, question_count * MINUTES_PER_QUESTION)


def organisation_name(owner: Profile) -> str:
    return (owner.organisation_name or "").strip() or "our team"


def not_accepting_reason(instance: ChatInstance, owner: Profile) -> str | None:
    """Why a new interviewee cannot start now (None: they can). The first answer is what is charged."""
    if not instance.guide.questions:
        return "This interview is not ready yet. Please come back later."
    if (owner.total_responses_available or 0) <= 0:
        return f"{organisation_name(owner)} is not taking new interviews at the moment. Thank you for your interest."
    return None


def context_for(owner: Profile, response: ChatResponse) -> Context:
    return Context(organisation_name(owner), (owner.organisation_description or "").strip(),
                   response.interviewee_first_name or "there")


def assistant_message(turn: Turn, at: str) -> dict:
    """The agent's message as stored: what it said, its move and question, who worded it (and a question given up on)."""
    message = {"role": "assistant", "content": turn.message, "at": at, "question": turn.question, "move": turn.move,
               "by": turn.by}
    if turn.skipped is not None:
        message["skipped"] = turn.skipped
    return message


@dataclass
class PendingStart:
    """A new response read and prepared, waiting for the agent's opening message (no transaction open meanwhile)."""

    response: ChatResponse
    guide: Guide
    context: Context
    started: datetime


def prepare_interview(instance: ChatInstance, first_name: str, second_name: str | None,
                      email: str | None) -> PendingStart:
    """A new in-progress response on the guide's current version, not yet stored.

    The caller then commits, before the agent thinks (no lock held meanwhile) and before the insert:
    on SQLite a transaction that opens with a write waits for the lock, one that read first and
    then writes may fail at once under contention.
    """
    owner = instance.owner
    now = utcnow()
    response = ChatResponse(
        id=uuid.uuid4(), user_id=instance.user_id, chat_instance_id=instance.id, status="in_progress",
        interviewee_first_name=first_name.strip(), interviewee_second_name=(second_name or "").strip() or None,
        interviewee_email=(email or "").strip() or None, interview_start_time=now,
        # Starting is consenting (the intake form's box), to the notice shown (§14).
        consent_notice_version=instance.privacy_notice_version if instance.privacy_notice else None, consented_at=now,
    )
    response.guide_version = record_version(instance)  # writes only for a guide saved before versions
    return PendingStart(response, parse_guide(instance.interview_guide), context_for(owner, response), now)


def open_interview(pending: PendingStart) -> uuid.UUID:
    """The agent's opening message on the prepared response, which is added (the caller commits); returns its id."""
    response = pending.response
    turn = next_turn(Timed(agent_from_config(current_app.config)), pending.guide, pending.context, [])
    response.conversation = Conversation([assistant_message(turn, timestamp(pending.started))])
    record_progress(response, response.conversation, len(pending.guide))
    db.session.add(response)
    db.session.flush()
    return response.id


@dataclass
class PendingAnswer:
    """An answer read and checked, waiting for the agent's reply (no transaction open meanwhile)."""

    response_id: uuid.UUID
    owner_id: str
    guide: Guide
    context: Context
    seen: Conversation
    user_message: dict
    first_answer: bool
    agent_needed: bool  # False when the owner has no credit left: the reply will be the no-credit closing
    redaction: RedactionSettings = RedactionSettings()  # what the agent's model must not see (the instance's)

    @property
    def conversation(self) -> Conversation:
        return self.seen + [self.user_message]


def replay(response: ChatResponse, key: str | None, total: int) -> AnswerResult | None:
    """What was stored for the answer posted with `key` (the answer and the reply after it), None when it is new."""
    messages = list(response.conversation)
    for n, message in enumerate(messages):
        if key and message.get("role") == "user" and message.get("key") == key:
            stored = public_messages(messages[n:n + 2])
            return AnswerResult(Outcome.ANSWERED, stored, finished=response.status != "in_progress",
                                progress=progress(response.conversation, total), replayed=True)
    return None


def begin_answer(instance: ChatInstance, response_id: uuid.UUID, text: str | None,
                 key: str | None = None) -> PendingAnswer | AnswerResult:
    """Check an answer and read what the agent needs; an AnswerResult when nothing is to be done (or it was done).

    The caller then ends the read's transaction (commits) before the agent thinks.
    """
    answer = (text or "").strip()
    if not answer:
        return AnswerResult(Outcome.IGNORED)
    if len(answer) > MAX_ANSWER_CHARS:
        raise ValueError(f"Please keep an answer under {MAX_ANSWER_CHARS:,} characters.")
    response = db.session.get(ChatResponse, response_id)
    if response is None or response.chat_instance_id != instance.id:
        raise NotFound()
    guide = guide_of(response, instance)
    stored = replay(response, key, len(guide))
    if stored is not None:
        return stored
    if response.status != "in_progress":
        return AnswerResult(Outcome.CLOSED, finished=True)
    owner = instance.owner
    seen = response.conversation
    first_answer = not seen.has_answer()
    redaction = settings_of(instance)
    masked = redact_text(answer, redaction) if redaction.on else None  # marked on the message, stored masked if chosen
    pending = PendingAnswer(
        response_id, owner.user_id, guide, context_for(owner, response), seen,
        {"role": "user", "content": masked.text if masked and redaction.store else answer, "at": timestamp(utcnow())}
        | ({"key": key} if key else {}) | ({"masked": list(masked.found)} if masked and masked.found else {}),
        first_answer, agent_needed=not first_answer or (owner.total_responses_available or 0) > 0,
        redaction=redaction,
    )
    return pending


def reply_stream(pending: PendingAnswer) -> Iterator[str | Turn]:
    """The agent's reply to the answer, as it is written, then its Turn."""
    if not pending.agent_needed:
        return iter(())
    conversation = Conversation(mask_messages(pending.conversation, pending.redaction)) if pending.redaction.on \
        else pending.conversation  # the agent (and its model) reads the interviewee's words masked
    return Timed(agent_from_config(current_app.config)).stream(pending.guide, pending.context, conversation)


class Timed:
    """An agent whose turns are measured (latency, who worded them, fallbacks from the model) for /metrics."""

    def __init__(self, agent):
        self.agent = agent

    def stream(self, guide: Guide, context: Context, conversation) -> Iterator[str | Turn]:
        start = time.monotonic()
        for item in self.agent.stream(guide, context, conversation):
            if isinstance(item, Turn):
                metrics.observe_turn(time.monotonic() - start, item.by)
                if item.by == "default" and not isinstance(self.agent, DefaultAgent):
                    metrics.count_fallback()
            yield item


def store_answer(pending: PendingAnswer, turn: Turn | None) -> AnswerResult:
    """Store the answer and the reply in one write; charge the owner on the first answer.

    The caller commits when the result is `kept`, and rolls back otherwise (a closed interview, a
    conflict, a replay: nothing of this answer is to be written).
    """
    # Holding the response row from the first statement on.
    claimed = db.session.execute(
        sa.update(ChatResponse).where(ChatResponse.id == pending.response_id, ChatResponse.status == "in_progress")
        .values(updated_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return AnswerResult(Outcome.CLOSED, finished=True)
    response = db.session.get(ChatResponse, pending.response_id, populate_existing=True)
    messages = response.conversation
    if len(messages) != len(pending.seen):
        stored = replay(response, pending.user_message.get("key"), len(pending.guide))
        return stored or AnswerResult(Outcome.CONFLICT)  # the same answer, posted twice at once: stored once
    total = len(pending.guide)
    context = pending.context

    if pending.first_answer and not charge_response(pending.owner_id, response):
        # Not charged, so the answer is not kept: the owner receives nothing they did not pay for.
        closing = {"role": "assistant", "at": timestamp(utcnow()), "question": None, "move": Move.CLOSE.value,
                   "content": NO_CREDIT_MESSAGE.format(name=context.interviewee_name,
                                                       organisation=context.organisation_name)}
        finish(response, messages + [closing], "abandoned", total)
        check_quota.enqueue(pending.owner_id)  # the balance was found empty: the 100% email (same commit)
        db.session.flush()
        return AnswerResult(Outcome.NO_CREDIT, public_messages([closing]), finished=True,
                            progress=progress(response.conversation, total))

    if turn is None:  # credit arrived after the answer was read: the default agent replies
        turn = DefaultAgent(current_app.config.get("FRANKO_MAX_PROBES", 1)).turn(pending.guide, context,
                                                                              pending.conversation)
    reply = assistant_message(turn, timestamp(utcnow()))
    answer = dict(pending.user_message, question=last_question(pending.seen), kind=turn.kind)
    messages = messages + [answer, reply]
    if turn.done:
        finish(response, messages, "completed", total)
    else:
        response.conversation = messages
        record_progress(response, messages, total)
    if pending.first_answer:  # queued in the answer's own commit (the outbox): no crash in between loses it
        check_quota.enqueue(pending.owner_id)
    if turn.done:
        after_completion.enqueue(str(pending.response_id))
    db.session.flush()
    return AnswerResult(Outcome.ANSWERED, public_messages([answer, reply]), finished=turn.done,
                        progress=progress(messages, total))


def finish(response: ChatResponse, messages: Conversation, status: str, total_questions: int) -> None:
    """Close the interview: end time, minutes, coverage, clean transcript, status."""
    end = utcnow()
    response.conversation = messages
    response.status = status
    response.interview_end_time = end
    response.total_interview_minutes = interview_minutes(response.interview_start_time or end, end)
    record_progress(response, messages, total_questions)
    response.clean_transcript = clean_transcript(messages, response.interviewee_first_name)


def record_progress(response: ChatResponse, messages, total_questions: int) -> None:
    """Coverage of the guide so far: the per-question records, "answered/total" and the counts derived from them."""
    sync_records(response, messages, total_questions)


def interview_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes, rounded up, at least 1: a 40-second interview took one minute of someone's time."""
    return max(1, math.ceil((end - start).total_seconds() / 60))


def clean_transcript(messages, first_name: str | None) -> str:
    """Plain text, one line per message: 'Interviewer: …' and '<first name>: …'.

    The agent's Markdown becomes plain text; a message's own line breaks become spaces, so every
    line of the transcript is one turn.
    """
    speaker = {"assistant": "Interviewer", "user": (first_name or "").strip() or "Interviewee"}
    lines = []
    for m in messages:
        content = str(m.get("content", ""))
        if m.get("role") == "assistant":
            content = plain_text(content)
        lines.append(f"{speaker.get(m.get('role'), m.get('role'))}: {' '.join(content.split())}")
    return "\n".join(lines)


def close_stale(minutes: int) -> int:
    """Mark in-progress interviews idle for `minutes` as abandoned, in one UPDATE; returns how many."""
    now = utcnow()
    count = db.session.execute(
        sa.update(ChatResponse)
        .where(ChatResponse.status == "in_progress", ChatResponse.updated_at < now - timedelta(minutes=minutes))
        .values(status="abandoned", updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return count
