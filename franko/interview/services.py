"""Interview rules: who may start, taking an answer (and charging the owner for the first), completion.

Taking an answer is two short transactions around the agent: a read, then the agent thinks (an
LLM may take seconds; no lock is held meanwhile), then one write that opens with an UPDATE of the
response row. That UPDATE serialises answers to the same response (PostgreSQL row lock; SQLite's
write lock, taken first so its busy timeout applies), and the write is refused if the conversation
moved on in between (a double submit).
"""
from __future__ import annotations

import enum
import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort, current_app

from franko.extensions import db
from franko.instances.services import parse_guide
from franko.interview.agent import Context, Turn, agent_from_config, covered
from franko.models import ChatInstance, ChatResponse, Profile, utcnow
from franko.plans import charge_response

MAX_ANSWER_CHARS = 5000
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


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC, as stored in messages_json."""
    return moment.isoformat(timespec="seconds") + "Z"


def load_messages(response: ChatResponse) -> list[dict]:
    try:
        messages = json.loads(response.messages_json or "[]")
    except ValueError:
        return []
    return messages if isinstance(messages, list) else []


def public_messages(messages: list[dict]) -> list[dict]:
    """The messages as shown to the interviewee: role, content, time."""
    return [{"role": m.get("role"), "content": m.get("content", ""), "at": m.get("at")} for m in messages]


def organisation_name(owner: Profile) -> str:
    return (owner.organisation_name or "").strip() or "our team"


def not_accepting_reason(instance: ChatInstance, owner: Profile) -> str | None:
    """Why a new interviewee cannot start now (None: they can). The first answer is what is charged."""
    if not parse_guide(instance.interview_guide):
        return "This interview is not ready yet. Please come back later."
    if (owner.total_responses_available or 0) <= 0:
        return f"{organisation_name(owner)} is not taking new interviews at the moment. Thank you for your interest."
    return None


def context_for(owner: Profile, response: ChatResponse) -> Context:
    return Context(organisation_name(owner), (owner.organisation_description or "").strip(),
                   response.interviewee_first_name or "there")


def assistant_message(turn: Turn, at: str) -> dict:
    return {"role": "assistant", "content": turn.message, "at": at, "question": turn.question}


def start_interview(instance: ChatInstance, first_name: str, second_name: str | None,
                    email: str | None) -> uuid.UUID:
    """A new in-progress response with the agent's opening message, committed; returns its id."""
    owner = instance.owner
    now = utcnow()
    response_id = uuid.uuid4()
    response = ChatResponse(
        id=response_id, user_id=instance.user_id, chat_instance_id=instance.id, status="in_progress",
        interviewee_first_name=first_name.strip(), interviewee_second_name=(second_name or "").strip() or None,
        interviewee_email=(email or "").strip() or None, interview_start_time=now,
    )
    questions = parse_guide(instance.interview_guide)
    context = context_for(owner, response)
    # End the read transaction before the agent thinks (no lock held meanwhile) and before the
    # insert: on SQLite a transaction that opens with a write waits for the lock, one that read
    # first and then writes may fail at once under contention.
    db.session.commit()
    turn = agent_from_config(current_app.config).next_turn(questions, context, [])
    response.messages_json = json.dumps([assistant_message(turn, timestamp(now))])
    response.completion_status = f"0/{len(questions)}"
    db.session.add(response)
    db.session.commit()
    return response_id


def submit_answer(instance: ChatInstance, response_id: uuid.UUID, text: str | None) -> AnswerResult:
    """Store an interviewee's answer and the agent's reply; charge the owner on the first answer."""
    answer = (text or "").strip()
    if not answer:
        return AnswerResult(Outcome.IGNORED)
    if len(answer) > MAX_ANSWER_CHARS:
        raise ValueError(f"Please keep an answer under {MAX_ANSWER_CHARS:,} characters.")

    # 1. Read, and let the agent think with no transaction open.
    response = db.get_or_404(ChatResponse, response_id)
    if response.chat_instance_id != instance.id:
        abort(404)
    if response.status != "in_progress":
        return AnswerResult(Outcome.CLOSED, finished=True)
    owner = instance.owner
    owner_id = owner.user_id
    context = context_for(owner, response)
    questions = parse_guide(instance.interview_guide)
    seen = load_messages(response)
    first_answer = not any(m.get("role") == "user" for m in seen)
    now = utcnow()
    user_message = {"role": "user", "content": answer, "at": timestamp(now)}
    db.session.commit()
    turn = agent_from_config(current_app.config).next_turn(questions, context, seen + [user_message])

    # 2. Write, holding the response row from the first statement on.
    claimed = db.session.execute(
        sa.update(ChatResponse).where(ChatResponse.id == response_id, ChatResponse.status == "in_progress")
        .values(updated_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return AnswerResult(Outcome.CLOSED, finished=True)
    response = db.session.get(ChatResponse, response_id, populate_existing=True)
    messages = load_messages(response)
    if len(messages) != len(seen):
        db.session.rollback()
        return AnswerResult(Outcome.CONFLICT)

    if first_answer and not charge_response(owner_id, response):
        # Not charged, so the answer is not kept: the owner receives nothing they did not pay for.
        closing = {"role": "assistant", "at": timestamp(utcnow()), "question": None,
                   "content": NO_CREDIT_MESSAGE.format(name=context.interviewee_name,
                                                       organisation=context.organisation_name)}
        messages.append(closing)
        finish(response, messages, "abandoned", len(questions))
        db.session.commit()
        return AnswerResult(Outcome.NO_CREDIT, public_messages([closing]), finished=True)

    reply = assistant_message(turn, timestamp(utcnow()))
    messages += [user_message, reply]
    if turn.done:
        finish(response, messages, "completed", len(questions))
    else:
        response.messages_json = json.dumps(messages)
        response.completion_status = f"{covered(messages)}/{len(questions)}"
    db.session.commit()
    return AnswerResult(Outcome.ANSWERED, public_messages([user_message, reply]), finished=turn.done)


def finish(response: ChatResponse, messages: list[dict], status: str, total_questions: int) -> None:
    """Close the interview: end time, minutes, coverage, clean transcript, status."""
    end = utcnow()
    response.messages_json = json.dumps(messages)
    response.status = status
    response.interview_end_time = end
    response.total_interview_minutes = interview_minutes(response.interview_start_time or end, end)
    response.completion_status = f"{covered(messages)}/{total_questions}"
    response.clean_transcript = clean_transcript(messages, response.interviewee_first_name)


def interview_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes, rounded up, at least 1: a 40-second interview took one minute of someone's time."""
    return max(1, math.ceil((end - start).total_seconds() / 60))


def clean_transcript(messages: list[dict], first_name: str | None) -> str:
    """Plain text, one line per message: 'Interviewer: …' and '<first name>: …'.

    A message's own line breaks become spaces, so every line of the transcript is one turn.
    """
    speaker = {"assistant": "Interviewer", "user": (first_name or "").strip() or "Interviewee"}
    return "\n".join(f"{speaker.get(m.get('role'), m.get('role'))}: {' '.join(str(m.get('content', '')).split())}"
                     for m in messages)


def close_stale(minutes: int) -> int:
    """Mark in-progress interviews idle for `minutes` as abandoned, in one UPDATE; returns how many."""
    now = utcnow()
    count = db.session.execute(
        sa.update(ChatResponse)
        .where(ChatResponse.status == "in_progress", ChatResponse.updated_at < now - timedelta(minutes=minutes))
        .values(status="abandoned", updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count
