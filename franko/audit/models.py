"""The audit log's one table: who did what to whose data, and when (§14), never the data itself."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from franko.extensions import db
from franko.models import utcnow


class AuditEntry(db.Model):
    """One line of the audit log: an export, a download, a deletion, a plan change, an admin grant.

    Ours, not the seed's (§14: owners and admins read who did what). `subject` and `detail` name
    things (ids, counts, plans), never personal data: the line outlives what it is about. Both
    accounts are kept as SET NULL, so deleting an account leaves its lines, unattributed.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(),
                                    primary_key=True)  # SQLite: its rowid
    at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow, server_default=sa.func.now())
    actor_id: Mapped[str | None] = mapped_column(sa.ForeignKey("profiles.user_id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[str | None] = mapped_column(sa.ForeignKey("profiles.user_id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.Text, nullable=False)
    subject: Mapped[str | None] = mapped_column(sa.Text)
    detail: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (
        sa.Index("ix_audit_log_owner_id_id", "owner_id", "id"),  # an owner's lines, newest first
    )
