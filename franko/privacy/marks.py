"""The transcript's marks with what was masked in each interviewee message ("Answer · 2 masked: email, phone number")."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from franko.interview.records import Mark
from franko.privacy.redaction import describe


def with_masked(messages: Sequence[Mapping[str, Any]], marks: Mapping[int, Mark]) -> dict[int, Mark]:
    """`marks`, each message that had values masked (its `masked` list) saying so after its own mark."""
    found = dict(marks)
    for index, message in enumerate(messages):
        masked = message.get("masked")
        if message.get("role") == "user" and isinstance(masked, list) and masked:
            note = describe(str(k) for k in masked)
            mark = found.get(index)
            found[index] = replace(mark, label=f"{mark.label} · {note}") if mark else Mark(note)
    return found
