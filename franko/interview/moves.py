"""The interviewer's next move, chosen by the product from the guide and what the interviewee's message is (SPEC §5b).

A model only words the move chosen here; it never says which question comes next. Each stored
assistant message carries its `move` and `question`, each user message its `kind` and `question`, so
the state below is read back from the conversation on every turn, by any agent, on any server.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from franko.guide import Guide
from franko.interview.reading import Kind, is_closing_remark
from franko.interview.records import ANSWERED, SKIPPED, question_records

MAX_CLARIFICATIONS = 2  # explanations of one question before the interview moves on
MAX_REDIRECTS = 2       # bringing the interviewee back to one question before moving on
Message = Mapping[str, Any]


class Move(enum.Enum):
    ASK = "ask"            # ask `question` (the first time)
    CLARIFY = "clarify"    # explain `question` again
    PROBE = "probe"        # a follow-up on `question`'s answer; never a guide question of its own
    REDIRECT = "redirect"  # back to `question` after a question back, off-topic text or an injection
    CLOSE = "close"        # thanks; nothing asked; the interview is completed


@dataclass(frozen=True)
class Plan:
    """The move, the guide question it is about (None: the closing), and why (the kind it answers)."""

    move: Move
    question: int | None
    after: Kind | None = None        # the interviewee's message this move follows
    skipped: int | None = None       # a question given up on (refused, or not answered after every try)
    probe: int = 0                   # which probe (0-based) a PROBE move uses


@dataclass
class QuestionState:
    answered: bool = False
    skipped: bool = False
    clarifications: int = 0
    redirects: int = 0
    probes: int = 0


def last_question(conversation: Sequence[Message]) -> int | None:
    """The guide question the interviewer spoke about most recently, None before the first (or after the close)."""
    for message in reversed(conversation):
        if message.get("role") == "assistant":
            if message.get("question") is not None:
                return int(message["question"])
            if message.get("move") == Move.CLOSE.value:
                return None
    return None


def states(conversation: Sequence[Message]) -> dict[int, QuestionState]:
    """Each asked question's state, by the one rule that also writes the coverage records (`records.py`)."""
    indices = [m.get(key) for m in conversation for key in ("question", "skipped")]
    total = 1 + max((q for q in indices if isinstance(q, int) and not isinstance(q, bool)), default=-1)
    return {r.question: QuestionState(r.state == ANSWERED, r.state == SKIPPED, r.clarifications, r.redirects, r.probes)
            for r in question_records(conversation, total)}


def decide(guide: Guide, conversation: Sequence[Message], kind: Kind | None, answer: str = "",
           max_probes: int = 1) -> Plan:
    """The next move by the guide's rules, given the kind of the interviewee's last message (None: no message yet)."""
    if not guide.questions:
        return Plan(Move.CLOSE, None, kind)
    current = last_question(conversation)
    if current is None or kind is None:
        return Plan(Move.ASK, 0, kind) if not conversation else Plan(Move.CLOSE, None, kind)
    before = conversation[:-1] if conversation[-1].get("role") == "user" else conversation  # not yet read
    state = states(before).get(current, QuestionState())
    already = state.answered  # answered before this message (e.g. this one replies to a probe)

    if kind is Kind.STOP:
        return Plan(Move.CLOSE, None, kind)
    if kind.is_answer:
        if not already and kind is Kind.THIN and state.probes < max_probes and not is_closing_remark(answer):
            return Plan(Move.PROBE, current, kind, probe=state.probes)
        return _onwards(guide, current, kind)
    if kind is Kind.REFUSE:
        return _onwards(guide, current, kind, skipped=None if already else current)
    if kind is Kind.CLARIFY and state.clarifications < MAX_CLARIFICATIONS:
        return Plan(Move.CLARIFY, current, kind)
    if kind in (Kind.QUESTION, Kind.OFF_TOPIC, Kind.INJECTION) and state.redirects < MAX_REDIRECTS and not already:
        return Plan(Move.REDIRECT, current, kind)
    return _onwards(guide, current, kind, skipped=None if already else current)


def _onwards(guide: Guide, current: int, kind: Kind, skipped: int | None = None) -> Plan:
    """The next question, or the closing after the last one."""
    if current + 1 < len(guide):
        return Plan(Move.ASK, current + 1, kind, skipped=skipped)
    return Plan(Move.CLOSE, None, kind, skipped=skipped)
