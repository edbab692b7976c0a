"""The owner's archives ("Download everything") and the admins' record of deleted organisations (no personal data)."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from franko.extensions import db
from franko.models import utcnow

PENDING, READY, FAILED = "pending", "ready", "failed"


class OwnerExport(db.Model):
    """One "Download everything" archive: built by a job, kept (the zip's bytes) until it expires, then purged.

    Deleted with its owner (ON DELETE CASCADE): an archive holds everything the organisation held.
    """

    __tablename__ = "owner_exports"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("profiles.user_id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False, default=PENDING, server_default=PENDING)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow,
                                                 server_default=sa.func.now())
    ready_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    size: Mapped[int | None] = mapped_column(sa.Integer)  # bytes of the zip
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # the zip; NULL until ready and once purged


class OrganisationDeletion(db.Model):
    """That an organisation was deleted, for admins: when, its plan and sizes; a digest instead of any identity."""

    __tablename__ = "organisation_deletions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    # HMAC of the account's id under the app's secret: tells an operator whether a given (known) id was
    # deleted, names no one.
    reference: Mapped[str] = mapped_column(sa.Text, nullable=False)
    deleted_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow,
                                                 server_default=sa.func.now())
    plan: Mapped[str] = mapped_column(sa.Text, nullable=False)
    instances: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    responses: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    subscription_cancelled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False,
                                                         server_default=sa.false())
