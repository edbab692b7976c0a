"""Keeping a response's question records and coverage counts in step with its conversation (flush, no commit)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from franko.extensions import db
from franko.interview.records import completion_status, counts, question_records
from franko.models import ChatResponse, ResponseQuestion


def sync_records(response: ChatResponse, messages: Sequence[Mapping[str, Any]], total: int) -> None:
    """Replace the response's question records with those of `messages`; set its counts and completion_status.

    Two statements at most besides the response's own write (a DELETE of the old rows, an INSERT
    of the new), and none that reads: this runs with every turn of every interview.
    """
    records = question_records(list(messages), total)
    response.questions_reached, response.questions_answered, response.questions_skipped = counts(records)
    response.completion_status = completion_status(records, total)
    stored_before = sa.inspect(response).persistent
    db.session.add(response)
    db.session.flush()  # the response's row first: the records refer to it
    if stored_before:
        db.session.execute(sa.delete(ResponseQuestion).where(ResponseQuestion.chat_response_id == response.id))
    if records:
        db.session.execute(sa.insert(ResponseQuestion.__table__), [{"chat_response_id": response.id, **asdict(r)}
                                                                   for r in records])
    db.session.expire(response, ["questions"])  # a copy loaded before is out of date
