"""Writing and reading the audit log: `record` adds a line to the caller's transaction (flushed, never committed)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from franko.audit.models import AuditEntry
from franko.extensions import db
from franko.models import Profile, utcnow

DEFAULT_PER_PAGE = 50
MAX_ACTION = 64
MAX_SUBJECT = 200


class AuditError(ValueError):
    """An audit line that cannot be written as asked (an empty or overlong action, a detail that is no dict)."""


def record(action: str, *, actor_id: str | None = None, owner_id: str | None = None, subject: str | None = None,
           detail: dict | None = None) -> None:
    """Add one audit line to the current transaction and flush it; the caller commits (or rolls back) with its change.

    `actor_id` is the account that acted (None: the system, Stripe, a job), `owner_id` the
    account whose data it was; `subject` and `detail` must hold no personal data (ids, counts, plans).
    """
    if not action or len(action) > MAX_ACTION:
        raise AuditError(f"an audit action is 1 to {MAX_ACTION} characters: {action!r}")
    if detail is not None and not isinstance(detail, dict):
        raise AuditError("an audit detail is a dict")
    db.session.add(AuditEntry(at=utcnow(), action=action, actor_id=actor_id, owner_id=owner_id,
                              subject=(subject or None) and subject[:MAX_SUBJECT], detail=detail or None))
    db.session.flush()


def plan_changed(owner_id: str, plan: str, *, via: str, actor_id: str | None = None, new_period: bool = False) -> None:
    """The audit line of a plan change (by an admin, Stripe or the CLI); the caller records it only when the plan changed."""
    plan = getattr(plan, "value", plan)
    record("plan.changed", actor_id=actor_id, owner_id=owner_id, subject=f"plan {plan}",
           detail={"plan": plan, "new_period": new_period, "via": via})


@dataclass(frozen=True)
class Line:
    """An audit line as the pages show it, with the accounts' emails (None: the system, or an account gone)."""

    id: int
    at: object
    action: str
    subject: str | None
    detail: dict | None
    actor_id: str | None
    actor: str | None
    owner_id: str | None
    owner: str | None


@dataclass(frozen=True)
class Page:
    items: list[Line]
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def lines(number: int, per_page: int, owner_id: str | None = None, action: str | None = None) -> Page:
    """One page of the log, newest first: every line (admins), or those about `owner_id`'s data."""
    actor, owner = sa.orm.aliased(Profile), sa.orm.aliased(Profile)
    query = (sa.select(AuditEntry, actor.email, owner.email)
             .outerjoin(actor, actor.user_id == AuditEntry.actor_id)
             .outerjoin(owner, owner.user_id == AuditEntry.owner_id))
    if owner_id is not None:
        query = query.where(AuditEntry.owner_id == owner_id)
    if action:
        query = query.where(AuditEntry.action == action)
    number = max(1, number)
    rows = db.session.execute(query.order_by(AuditEntry.id.desc())
                              .limit(per_page + 1).offset((number - 1) * per_page)).all()
    items = [Line(e.id, e.at, e.action, e.subject, e.detail, e.actor_id, actor_email, e.owner_id, owner_email)
             for e, actor_email, owner_email in rows[:per_page]]
    return Page(items, number, len(rows) > per_page)


def per_page(config) -> int:
    """Lines per page (FRANKO_AUDIT_PER_PAGE)."""
    return int(config.get("FRANKO_AUDIT_PER_PAGE") or DEFAULT_PER_PAGE)


def actions() -> list[str]:
    """Every action the log holds, for the admins' filter."""
    return list(db.session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
