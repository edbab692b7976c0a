"""Per-question coverage records: for each guide question, whether it was asked, answered or skipped, and by which message.

One rule, read from the tags the agent writes on each message (SPEC §5b):
- an assistant message about question q (its `question`) asks q, unless its `move` is "probe" or
  "close" (a follow-up never asks a question; "ask", "clarify", "redirect" and an untagged legacy
  move put the question itself to the interviewee). The first such message is `asked_message`.
- a user message is about the question in play: its own `question` when it has that key, else the
  question of the assistant message before it (legacy rows). Only a question already asked is
  touched. Its `kind`: "answer", "thin" or none (legacy) answers it (an answered question stays
  answered); "refuse" skips a question not yet answered; "clarify" is counted; every other kind
  ("question", "off_topic", "injection", "stop") changes nothing.
- an assistant message may carry `skipped`: a question the interviewer gave up on (refused, or
  not answered after every try); it skips that question if asked and not answered.
- indices outside 0..total-1 (and anything not an integer) are ignored.
migrations/versions/0010_question_records.py holds the same rule in SQL for the backfill.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

ASKED, ANSWERED, SKIPPED = "asked", "answered", "skipped"
ASKING_MOVES = (None, "ask", "clarify", "redirect")
ANSWER_KINDS = (None, "answer", "thin")


@dataclass(frozen=True)
class QuestionRecord:
    """What happened to one guide question (0-based) in one interview."""

    question: int
    state: str  # "asked", "answered" or "skipped"
    asked_message: int  # index of the first message that asked it
    resolved_message: int | None = None  # the user message that answered (or refused) it; for a question
    # given up on without a refusal, the interviewer's message that moved on (its `skipped` tag)
    clarifications: int = 0  # the interviewee asked what it meant
    probes: int = 0  # follow-ups on it
    redirects: int = 0  # times the interviewee was brought back to it


@dataclass(frozen=True)
class Event:
    """One message's effect on one asked question.

    `what`: "ask", "probe", "redirect", "answer", "refuse", "give_up", "clarify" or "other".
    """

    index: int
    question: int
    what: str


def _tag(value: Any) -> str | None:
    """A move or kind as a string; anything else but null becomes an unknown tag ("")."""
    return value if value is None or isinstance(value, str) else ""


def _question(value: Any, total: int) -> int | None:
    """A valid 0-based question index, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < total:
        return value
    return None


def events(messages: Sequence[Mapping[str, Any]], total: int) -> Iterator[Event]:
    """Each message's effect on a question already asked (the rule of the module's docstring), in order."""
    asked: set[int] = set()
    in_play: int | None = None
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "assistant":
            given_up = _question(message.get("skipped"), total)
            if given_up is not None and given_up in asked:
                yield Event(index, given_up, "give_up")
            in_play = _question(message.get("question"), total)
            move = _tag(message.get("move"))
            if in_play is None:
                continue
            if in_play not in asked:
                if move not in ASKING_MOVES:
                    continue  # a probe (or an unknown move) on a question never asked asks nothing
                asked.add(in_play)
                yield Event(index, in_play, "ask")
            if move in ("probe", "redirect"):
                yield Event(index, in_play, move)
        elif role == "user":
            question = _question(message["question"], total) if "question" in message else in_play
            if question is None or question not in asked:
                continue
            kind = _tag(message.get("kind"))
            what = "answer" if kind in ANSWER_KINDS else kind if kind in ("refuse", "clarify") else "other"
            yield Event(index, question, what)


def question_records(messages: Sequence[Mapping[str, Any]], total: int) -> list[QuestionRecord]:
    """The records of the questions asked, in question order."""
    found: dict[int, QuestionRecord] = {}
    for event in events(messages, total):
        record = found.get(event.question)
        if event.what == "ask":
            found[event.question] = QuestionRecord(event.question, ASKED, event.index)
        elif event.what == "answer" and record.state != ANSWERED:
            found[event.question] = replace(record, state=ANSWERED, resolved_message=event.index)
        elif event.what in ("refuse", "give_up") and record.state == ASKED:
            found[event.question] = replace(record, state=SKIPPED, resolved_message=event.index)
        elif event.what == "clarify":
            found[event.question] = replace(record, clarifications=record.clarifications + 1)
        elif event.what == "probe":
            found[event.question] = replace(record, probes=record.probes + 1)
        elif event.what == "redirect":
            found[event.question] = replace(record, redirects=record.redirects + 1)
    return [found[q] for q in sorted(found)]


def answer_texts(messages: Sequence[Mapping[str, Any]], total: int) -> list[list[str]]:
    """Per question, the interviewee's answers to it (follow-up answers included), each on one line."""
    texts: list[list[str]] = [[] for _ in range(total)]
    for event in events(messages, total):
        if event.what == "answer":
            text = " ".join(str(messages[event.index].get("content") or "").split())
            if text:
                texts[event.question].append(text)
    return texts


def counts(records: Sequence[QuestionRecord]) -> tuple[int, int, int]:
    """(reached, answered, skipped): questions asked, answered, skipped."""
    return (len(records), sum(r.state == ANSWERED for r in records), sum(r.state == SKIPPED for r in records))


def completion_status(records: Sequence[QuestionRecord], total: int) -> str:
    """'answered/total', as chat_responses.completion_status holds it."""
    return f"{counts(records)[1]}/{total}"


# --- what the owner's transcript shows on each message --------------------------------------------

@dataclass(frozen=True)
class Mark:
    """A message's tag in words: "Question 3", "Asked for clarification", …; `alert` for an attempt to redirect the interviewer."""

    label: str
    alert: bool = False


AGENT_MARKS = {"clarify": "Clarified question {n}", "probe": "Follow-up on question {n}",
               "redirect": "Brought back to question {n}"}
USER_MARKS = {"answer": "Answer", "thin": "Answer", "clarify": "Asked for clarification",
              "question": "Asked a question back", "off_topic": "Off-topic", "stop": "Asked to stop"}
INJECTION = Mark("Tried to redirect the interviewer", alert=True)


def message_marks(messages: Sequence[Mapping[str, Any]], total: int) -> dict[int, Mark]:
    """Each tagged message's mark, by its index; untagged (imported) messages have none."""
    skipped_by = {r.resolved_message: r.question for r in question_records(messages, total) if r.state == SKIPPED}
    marks: dict[int, Mark] = {}
    in_play: int | None = None
    tagged = False  # a legacy user message counts as an answer once the agent tagged a question
    for index, message in enumerate(messages):
        role, move = message.get("role"), _tag(message.get("move"))
        if role == "assistant" and ("question" in message or move is not None):
            tagged = True
            in_play = _question(message.get("question"), 1 << 30)
            if in_play is None or move == "close":
                marks[index] = Mark("Closing")
            else:
                marks[index] = Mark(AGENT_MARKS.get(move, "Question {n}").format(n=in_play + 1))
        elif role == "user" and (tagged or "kind" in message):
            question = _question(message.get("question"), 1 << 30) if "question" in message else in_play
            kind = _tag(message.get("kind"))
            if kind == "injection":
                marks[index] = INJECTION
            elif kind == "refuse":
                marks[index] = Mark(f"Skipped question {skipped_by[index] + 1}" if index in skipped_by
                                    else "Declined to answer")
            elif kind is None and question is not None:
                marks[index] = Mark("Answer")
            elif kind in USER_MARKS:
                marks[index] = Mark(USER_MARKS[kind])
    return marks
