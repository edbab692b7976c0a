"""Audit lines for the owner's data (exports, downloads, organisation deletions), through franko.audit when present."""
from __future__ import annotations

from typing import Any


def record(action: str, *, actor_id: str | None = None, owner_id: str | None = None, subject: str | None = None,
           detail: Any = None) -> None:
    """Write one audit line in the caller's transaction (franko.audit.record); nothing without the audit log."""
    try:
        from franko import audit
    except ImportError:  # the audit log is another branch's: until it is merged, nothing is written
        return
    audit.record(action, actor_id=actor_id, owner_id=owner_id, subject=subject, detail=detail)
