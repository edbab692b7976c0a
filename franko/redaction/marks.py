"""What was masked in each interviewee message, as the transcript's mark says it ("2 masked: email, phone")."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from franko.redaction.rules import describe


def masked_notes(messages: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """By message index: what was masked in it (its `masked` list, written when the answer was taken)."""
    notes = {}
    for index, message in enumerate(messages):
        masked = message.get("masked")
        if message.get("role") == "user" and isinstance(masked, list) and masked:
            notes[index] = describe(str(k) for k in masked)
    return notes
