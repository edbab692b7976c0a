"""The owner's data: asking for an archive, reading it by its signed link, and deleting the organisation.

Services flush and raise OwnerDataError; routes and the job commit. Links are signed (itsdangerous,
the app's SECRET_KEY), expire, and are bound to the owner they were made for.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import stripe
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import defer

from franko.billing.services import BillingNotConfigured, stripe_client
from franko.database import escape_like
from franko.exceptions import OwnerDataError, OwnerDataLinkError
from franko.extensions import db
from franko.jobs.models import QueuedJob
from franko.models import (ChatInstance, ChatResponse, GuideVersion, LegacyArchive, LoginSession, Profile,
                           ResponseQuestion, StripeEvent, WebhookDelivery, utcnow)
from franko.ownerdata.models import PENDING, READY, OrganisationDeletion, OwnerExport

log = logging.getLogger(__name__)
EXPORT_SALT = "franko-owner-export"
DELETE_SALT = "franko-delete-organisation"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _read(token: str, salt: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise OwnerDataLinkError("This link has expired.") from None
    except BadSignature:
        raise OwnerDataLinkError("This link is not valid.") from None
    if not isinstance(data, dict):
        raise OwnerDataLinkError("This link is not valid.")
    return data


def export_max_age() -> int:
    """Seconds an archive and its link live (FRANKO_EXPORT_MAX_AGE, a week by default)."""
    return int(current_app.config.get("FRANKO_EXPORT_MAX_AGE", 7 * 24 * 3600))


def delete_link_max_age() -> int:
    """Seconds the emailed link to delete the organisation is valid (FRANKO_DELETE_LINK_MAX_AGE, an hour)."""
    return int(current_app.config.get("FRANKO_DELETE_LINK_MAX_AGE", 3600))


# --- "Download everything" ----------------------------------------------------------------------

def request_export(user_id: str) -> OwnerExport | None:
    """A new archive to build (the caller queues its job in the same transaction); None when one is being built already."""
    building = db.session.scalar(sa.select(OwnerExport.id).where(OwnerExport.user_id == user_id,
                                                                 OwnerExport.status == PENDING).limit(1))
    if building is not None:
        return None
    export = OwnerExport(id=uuid.uuid4(), user_id=user_id, status=PENDING, created_at=utcnow())
    db.session.add(export)
    db.session.flush()
    return export


def export_token(export: OwnerExport) -> str:
    return _serializer(EXPORT_SALT).dumps({"x": str(export.id), "u": export.user_id})


def export_for_token(token: str, user_id: str) -> OwnerExport:
    """The ready archive a link names, when `user_id` is its owner and it has not expired; OwnerDataLinkError otherwise."""
    data = _read(token, EXPORT_SALT, export_max_age())
    if data.get("u") != user_id:
        raise OwnerDataLinkError("This link is for another account.")
    try:
        export_id = uuid.UUID(str(data.get("x")))
    except ValueError:
        raise OwnerDataLinkError("This link is not valid.") from None
    export = db.session.get(OwnerExport, export_id)
    if export is None or export.user_id != user_id or export.status != READY or export.content is None:
        raise OwnerDataLinkError("This archive is no longer available. Ask for a new one.")
    if export.expires_at is not None and export.expires_at <= utcnow():
        raise OwnerDataLinkError("This archive has expired. Ask for a new one.")
    return export


def recent_exports(user_id: str, limit: int = 5) -> list[OwnerExport]:
    """The owner's latest archives (without their bytes), newest first."""
    return list(db.session.scalars(sa.select(OwnerExport).options(defer(OwnerExport.content))
                                   .where(OwnerExport.user_id == user_id)
                                   .order_by(OwnerExport.created_at.desc()).limit(limit)))


def purge_expired_exports(now: datetime | None = None) -> int:
    """Delete the archives past their expiry (and failed ones older than a day); returns how many."""
    now = now or utcnow()
    return db.session.execute(
        sa.delete(OwnerExport).where(sa.or_(OwnerExport.expires_at <= now,
                                            sa.and_(OwnerExport.status != READY,
                                                    OwnerExport.created_at <= now - timedelta(days=1)))),
        execution_options={"synchronize_session": False}).rowcount


# --- "Delete the organisation" ------------------------------------------------------------------

def _deletion_fingerprint(profile: Profile) -> str:
    """Binds a deletion link to the account as it is: a changed email voids it."""
    return hashlib.sha256(f"{profile.user_id}:{(profile.email or '').lower()}".encode()).hexdigest()[:24]


def deletion_token(profile: Profile) -> str:
    return _serializer(DELETE_SALT).dumps({"u": profile.user_id, "f": _deletion_fingerprint(profile)})


def check_deletion_token(token: str, profile: Profile) -> None:
    """Nothing when the link was made for `profile` (logged in) and is still valid; OwnerDataLinkError otherwise."""
    data = _read(token, DELETE_SALT, delete_link_max_age())
    if data.get("u") != profile.user_id or data.get("f") != _deletion_fingerprint(profile):
        raise OwnerDataLinkError("This link is not for this account (or its email changed since).")


def reference_of(user_id: str) -> str:
    """What the admins' record keeps instead of the account: an HMAC of its id (checkable, names no one)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"organisation:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed (the admins' record says the same)."""

    record_id: uuid.UUID
    instances: int
    responses: int
    subscription_cancelled: bool


def cancel_subscription(profile: Profile) -> bool:
    """Cancel the Stripe subscription now (DELETE /v1/subscriptions/{id}); True when one was cancelled.

    A subscription Stripe no longer knows counts as cancelled; any other failure raises OwnerDataError
    and nothing is deleted (the owner tries again).
    """
    if not profile.stripe_subscription_id:
        return False
    try:
        stripe_client().v1.subscriptions.cancel(profile.stripe_subscription_id)
    except BillingNotConfigured:
        raise OwnerDataError("Your subscription cannot be cancelled: billing is not configured on this server. "
                             "Please contact support.") from None
    except stripe.InvalidRequestError as error:
        if getattr(error, "code", None) != "resource_missing":
            log.exception("cancelling subscription of %s failed", profile.user_id)
            raise OwnerDataError("Stripe refused to cancel your subscription; nothing was deleted.") from None
        log.info("subscription of %s was already gone at Stripe", profile.user_id)
    except stripe.StripeError:
        log.exception("cancelling subscription of %s failed", profile.user_id)
        raise OwnerDataError("Stripe could not be reached to cancel your subscription; nothing was deleted. "
                             "Please try again in a moment.") from None
    return True


def _like(text: str) -> str:
    return f"%{escape_like(text.lower())}%"


def delete_organisation(user_id: str) -> Deleted:
    """Cancel the subscription, then delete every row of the organisation, set by set (flushes; the caller commits).

    The instances, their guides' versions, responses, question records and webhook deliveries; the
    login sessions, archives and Stripe events of the account; the queued jobs and the upgrade's
    archived legacy rows that name it; then the profile, which releases its email. What stays is one
    OrganisationDeletion row without personal data.
    """
    profile = db.session.get(Profile, user_id)
    if profile is None:
        raise OwnerDataError("This organisation no longer exists.")
    cancelled = cancel_subscription(profile)
    plan, email, customer = profile.membership, profile.email, profile.stripe_customer_id
    instance_ids = list(db.session.scalars(sa.select(ChatInstance.id).where(ChatInstance.user_id == user_id)))
    responses = sa.select(ChatResponse.id).where(sa.or_(ChatResponse.user_id == user_id,
                                                        ChatResponse.chat_instance_id.in_(instance_ids)))
    response_ids = list(db.session.scalars(responses))
    response_count = len(response_ids)
    # What queued jobs may name: the account, its instances and responses, its and its interviewees' addresses.
    names = {user_id.lower(), *([email.lower()] if email else []), *(str(i) for i in instance_ids),
             *(str(i) for i in response_ids),
             *(e.lower() for e in db.session.scalars(sa.select(ChatResponse.interviewee_email).distinct().where(
                 ChatResponse.id.in_(responses), ChatResponse.interviewee_email.is_not(None))))}
    jobs = [job_id for job_id, args in db.session.execute(sa.select(QueuedJob.id, QueuedJob.args))
            if any(name in args.lower() for name in names)]  # the queue holds what waits or failed: a short table
    run = lambda statement: db.session.execute(statement, execution_options={"synchronize_session": False})  # noqa: E731
    db.session.expunge_all()  # set-based deletes below: no stale objects left to flush afterwards
    run(sa.delete(ResponseQuestion).where(ResponseQuestion.chat_response_id.in_(responses)))
    run(sa.delete(WebhookDelivery).where(sa.or_(WebhookDelivery.chat_instance_id.in_(instance_ids),
                                                WebhookDelivery.chat_response_id.in_(responses))))
    run(sa.delete(ChatResponse).where(sa.or_(ChatResponse.user_id == user_id,
                                             ChatResponse.chat_instance_id.in_(instance_ids))))
    run(sa.delete(GuideVersion).where(GuideVersion.chat_instance_id.in_(instance_ids)))
    run(sa.delete(ChatInstance).where(ChatInstance.user_id == user_id))
    run(sa.delete(LoginSession).where(LoginSession.user_id == user_id))
    run(sa.delete(OwnerExport).where(OwnerExport.user_id == user_id))
    if customer:
        run(sa.delete(StripeEvent).where(StripeEvent.stripe_customer_id == customer))
    if jobs:  # queued emails to the account or its interviewees hold their addresses and words
        run(sa.delete(QueuedJob).where(QueuedJob.id.in_(jobs)))
    # The upgrade's archive (legacy rows kept for a downgrade) may hold the account's old rows.
    archived = sa.func.lower(LegacyArchive.row_json)
    run(sa.delete(LegacyArchive).where(sa.or_(LegacyArchive.source_pk == user_id, *(
        archived.like(_like(n), escape="\\") for n in [user_id, *([email] if email else [])]))))
    response_keys = [k for i in response_ids for k in (str(i), i.hex)]  # imported interviews' archived copies
    for start in range(0, len(response_keys), 500):
        run(sa.delete(LegacyArchive).where(LegacyArchive.source_table.like("interviews%"),
                                           LegacyArchive.source_pk.in_(response_keys[start:start + 500])))
    run(sa.delete(Profile).where(Profile.user_id == user_id))
    record = OrganisationDeletion(id=uuid.uuid4(), reference=reference_of(user_id), deleted_at=utcnow(), plan=plan,
                                  instances=len(instance_ids), responses=response_count or 0,
                                  subscription_cancelled=cancelled)
    db.session.add(record)
    db.session.flush()
    return Deleted(record.id, len(instance_ids), response_count or 0, cancelled)


def deletions(limit: int = 100) -> list[OrganisationDeletion]:
    """The admins' record, newest first."""
    return list(db.session.scalars(sa.select(OrganisationDeletion)
                                   .order_by(OrganisationDeletion.deleted_at.desc()).limit(limit)))
