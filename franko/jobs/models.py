"""The queue's two tables: the jobs themselves (the outbox) and the effects' claims (leases on an email being sent)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from franko.extensions import db
from franko.clock import utcnow

WAITING, RUNNING, FAILED = "waiting", "running", "failed"  # a job that succeeds is deleted


class QueuedJob(db.Model):
    """One job to run: written in the transaction of the change it follows, deleted once it has run.

    `waiting` until `run_at`; `running` while a worker holds its lease (`lease_until`, renewed while
    it runs; once expired the job is due again); `failed` when its attempts are used up. `key`,
    when set, allows one waiting or running job per key (a delivery, a notification).
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(),
                                    primary_key=True)  # SQLite: its rowid
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)
    args: Mapped[str] = mapped_column(sa.Text, nullable=False)  # a JSON list
    key: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False, default=WAITING, server_default=WAITING)
    run_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    retry_delay: Mapped[int] = mapped_column(sa.Integer, nullable=False)  # seconds, doubled after each failure
    lease_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    leased_by: Mapped[str | None] = mapped_column(sa.Text)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow,
                                                 server_default=sa.func.now())

    __table_args__ = (
        sa.Index("ix_jobs_status_run_at", "status", "run_at"),
        sa.Index("ix_jobs_key", "key", unique=True),  # NULLs are distinct on both databases
    )


class JobClaim(db.Model):
    """An effect being done (an email being sent) by one worker until `lease_until`; deleted once done or given up."""

    __tablename__ = "job_claims"

    key: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    holder: Mapped[str] = mapped_column(sa.Text, nullable=False)
    lease_until: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
