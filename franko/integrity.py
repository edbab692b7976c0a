"""`flask franko verify`: the data-integrity checks, as set-based queries over the whole database."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, Profile

SHOW = 10  # offending rows named per check


@dataclass
class Finding:
    check: str
    total: int
    rows: list = field(default_factory=list)  # the first SHOW offending rows, as text


def minutes_between(start, end):
    """SQL: whole minutes from start to end, on PostgreSQL and SQLite."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.extract("epoch", end - start) / 60.0
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 1440.0


def checks() -> list[tuple[str, sa.Select]]:
    """Each check: a description and a query returning the offending rows (empty when all is well)."""
    p, i, r = Profile.__table__.c, ChatInstance.__table__.c, ChatResponse.__table__.c
    owner = sa.select(1).where(p.user_id == i.user_id).exists()
    instance_count = (sa.select(sa.func.count()).where(i.user_id == p.user_id).scalar_subquery())
    parent_instance = sa.select(i.id, i.user_id).subquery()
    email_dupes = (sa.select(sa.func.lower(p.email)).where(p.email.is_not(None))
                   .group_by(sa.func.lower(p.email)).having(sa.func.count() > 1))
    minutes = minutes_between(r.interview_start_time, r.interview_end_time)
    return [
        ("chat instances whose owner profile is missing",
         sa.select(i.id, i.user_id).where(~owner)),
        ("responses whose owner profile is missing",
         sa.select(r.id, r.user_id).where(~sa.select(1).where(p.user_id == r.user_id).exists())),
        ("responses whose chat instance is missing",
         sa.select(r.id, r.chat_instance_id).where(~sa.select(1).where(i.id == r.chat_instance_id).exists())),
        ("responses owned by someone other than their instance's owner",
         sa.select(r.id, r.user_id, parent_instance.c.user_id)
         .join(parent_instance, parent_instance.c.id == r.chat_instance_id)
         .where(parent_instance.c.user_id != r.user_id)),
        ("profiles whose chat-instance counter disagrees with their instances",
         sa.select(p.user_id, p.total_chat_instances_used, instance_count)
         .where(sa.func.coalesce(p.total_chat_instances_used, 0) != instance_count)),
        ("profiles with a negative counter",
         sa.select(p.user_id).where(sa.or_(p.total_responses_available < 0, p.total_responses_used < 0,
                                           p.total_responses_used_this_month < 0, p.total_chat_instances_used < 0))),
        ("profiles that used more this period than in their lifetime",
         sa.select(p.user_id, p.total_responses_used_this_month, p.total_responses_used)
         .where(sa.func.coalesce(p.total_responses_used_this_month, 0) > sa.func.coalesce(p.total_responses_used, 0))),
        ("profiles whose email collides with another's (case-insensitively)",
         sa.select(p.user_id, p.email).where(sa.func.lower(p.email).in_(email_dupes))),
        ("responses that end before they start",
         sa.select(r.id).where(r.interview_end_time < r.interview_start_time)),
        ("completed responses without an end time",
         sa.select(r.id).where(r.status == "completed", r.interview_end_time.is_(None))),
        ("responses whose minutes disagree with their start and end (by more than a minute)",
         sa.select(r.id, r.total_interview_minutes)
         .where(r.interview_end_time.is_not(None), r.interview_start_time.is_not(None),
                r.total_interview_minutes.is_not(None),
                sa.func.abs(r.total_interview_minutes - minutes) > 1)),
        ("responses with a negative duration",
         sa.select(r.id, r.total_interview_minutes).where(r.total_interview_minutes < 0)),
    ]


def verify() -> list[Finding]:
    """Run every check; the findings with at least one offending row."""
    findings = []
    for description, query in checks():
        rows = db.session.execute(query.limit(SHOW + 1)).all()
        if rows:
            total = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar()
            findings.append(Finding(description, total, [tuple(str(v) for v in row) for row in rows[:SHOW]]))
    return findings


def report(findings: list[Finding]) -> str:
    if not findings:
        return "verify: all checks passed."
    lines = [f"verify: {len(findings)} check(s) failed."]
    for f in findings:
        lines.append(f"- {f.total} {f.check}:")
        lines += [f"    {' / '.join(row)}" for row in f.rows]
        if f.total > len(f.rows):
            lines.append(f"    … and {f.total - len(f.rows)} more")
    return "\n".join(lines)
