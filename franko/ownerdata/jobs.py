"""The owner-data jobs: building a "Download everything" archive (then emailing its link), purging expired ones."""
import logging
import uuid
from datetime import timedelta

from franko.extensions import db
from franko.jobs import job, periodic
from franko.jobs.schedule import crontab
from franko.mail.jobs import send_template
from franko.models import Profile, utcnow
from franko.ownerdata import services
from franko.ownerdata.archive import build_archive
from franko.ownerdata.models import PENDING, READY, OwnerExport
from franko.urls import external_url

log = logging.getLogger(__name__)


@job(retries=3, retry_delay=30)
def build_owner_archive(export_id: str) -> None:
    """Build the archive, store it, and queue the email with its link (one commit); an archive built already is left."""
    export = db.session.get(OwnerExport, uuid.UUID(export_id))
    if export is None or export.status != PENDING:
        db.session.rollback()
        return
    profile = db.session.get(Profile, export.user_id)
    if profile is None:
        db.session.rollback()
        return
    now = utcnow()
    content = build_archive(export.user_id, now)  # a failure leaves it pending: the queue tries again
    export.content, export.size, export.status = content, len(content), READY
    export.ready_at, export.expires_at = now, now + timedelta(seconds=services.export_max_age())
    if profile.email:
        days = max(1, services.export_max_age() // (24 * 3600))
        send_template(profile.email, "Your Franko archive is ready", "ownerdata_archive_ready",
                      link=external_url("ownerdata.download", token=services.export_token(export)), days=days,
                      size=f"{len(content) / 1024:,.0f} KB")
    db.session.commit()


def queue_archive(export_id) -> None:
    """Queue the building of this archive in the caller's transaction (one job per archive)."""
    build_owner_archive.enqueue(str(export_id), key=f"owner-export:{export_id}")


@periodic(crontab(minute="17"))
def purge_owner_archives() -> None:
    """Every hour: archives past their expiry are deleted (their links say so from then on)."""
    count = services.purge_expired_exports()
    db.session.commit()
    if count:
        log.info("%d expired owner archives deleted", count)
