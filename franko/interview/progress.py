"""Keeping a response's question records and coverage counts in step with its conversation (flush, no commit)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from franko.extensions import db
from franko.interview.records import completion_status, counts, question_records
from franko.models import ChatResponse, ResponseQuestion


def sync_records(response: ChatResponse, messages: Sequence[Mapping[str, Any]], total: int) -> None:
    """Replace the response's question records with those of `messages`; set its counts and completion_status."""
    records = question_records(list(messages), total)
    db.session.add(response)
    # Assigning the collection replaces it: rows gone are deleted, rows kept are updated in place.
    response.questions = [ResponseQuestion(chat_response_id=response.id, **asdict(r)) for r in records]
    response.questions_reached, response.questions_answered, response.questions_skipped = counts(records)
    response.completion_status = completion_status(records, total)
    db.session.flush()
