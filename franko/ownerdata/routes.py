"""The owner's data page: "Download everything" and "Delete the organisation"; the admins' record of deletions."""
from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from franko import audit
from franko.admin.decorators import admin_required
from franko.exceptions import OwnerDataError, OwnerDataLinkError
from franko.extensions import db, limiter
from franko.mail.jobs import send_template
from franko.ownerdata import bp, services
from franko.ownerdata.forms import ConfirmDeletionForm
from franko.ownerdata.jobs import queue_archive
from franko.ownerdata.models import READY
from franko.urls import external_url

# Each of these emails the owner: limited like the other emailing forms (FRANKO_EMAIL_RATE_LIMIT, per client address).
emails_limited = limiter.limit(lambda: current_app.config["FRANKO_EMAIL_RATE_LIMIT"], methods=["POST"])

@bp.route("/profile/data/")
@login_required
def index():
    exports = services.recent_exports(current_user.user_id)
    links = {e.id: url_for("ownerdata.download", token=services.export_token(e)) for e in exports
             if e.status == READY}
    return render_template("ownerdata/index.html", exports=exports, links=links,
                           billing=bool(current_user.stripe_subscription_id))


@bp.route("/profile/data/export", methods=["POST"])
@login_required
@emails_limited
def export():
    """Queue the archive's job (same commit); the link is emailed when it is ready."""
    created = services.request_export(current_user.user_id)
    if created is None:
        flash("An archive is being prepared already: we email you its link when it is ready.", "info")
    else:
        queue_archive(created.id)  # in the same commit as the archive's row
        audit.record("export.requested", actor_id=current_user.user_id, owner_id=current_user.user_id,
                     subject=f"export:{created.id}")
        flash(f"We are preparing your archive and will email a link to {current_user.email} when it is ready.",
              "success")
    db.session.commit()
    return redirect(url_for("ownerdata.index"), 303)


@bp.route("/profile/data/download/<token>")
@login_required
def download(token: str):
    """The archive, only to the owner it was made for, while its link is valid."""
    try:
        found = services.export_for_token(token, current_user.user_id)
    except OwnerDataLinkError as error:
        db.session.rollback()
        return render_template("ownerdata/bad_link.html", reason=str(error)), 404
    audit.record("export.downloaded", actor_id=current_user.user_id, owner_id=current_user.user_id,
                 subject=f"export:{found.id}", detail={"bytes": found.size})
    content, name = found.content, f"franko-archive-{found.created_at:%Y-%m-%d}.zip"
    db.session.commit()
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/profile/data/delete", methods=["POST"])
@login_required
@emails_limited
def request_deletion():
    """Email the confirmation link to the account's address: deleting needs the address and the login."""
    minutes = services.delete_link_max_age() // 60
    link = external_url("ownerdata.confirm_deletion", token=services.deletion_token(current_user))
    send_template(current_user.email, "Confirm the deletion of your Franko organisation", "ownerdata_delete",
                  link=link, minutes=minutes, organisation=current_user.organisation_name)
    audit.record("organisation.deletion_requested", actor_id=current_user.user_id, owner_id=current_user.user_id,
                 subject="organisation")
    db.session.commit()
    flash(f"We emailed a link to {current_user.email}: open it to confirm the deletion. It is valid for "
          f"{minutes} minutes.", "info")
    return redirect(url_for("ownerdata.index"), 303)


@bp.route("/profile/data/delete/<token>", methods=["GET", "POST"])
@login_required
def confirm_deletion(token: str):
    try:
        services.check_deletion_token(token, current_user)
    except OwnerDataLinkError as error:
        return render_template("ownerdata/bad_link.html", reason=str(error)), 404
    form = ConfirmDeletionForm()
    if form.validate_on_submit():
        user_id = current_user.user_id
        try:
            deleted = services.delete_organisation(user_id)
        except OwnerDataError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return render_template("ownerdata/confirm_delete.html", form=form, token=token), 409
        audit.record("organisation.deleted", subject=f"deletion:{deleted.record_id}",
                     detail={"instances": deleted.instances, "responses": deleted.responses,
                             "subscription_cancelled": deleted.subscription_cancelled})
        db.session.commit()
        logout_user()
        current_app.logger.info("organisation deleted (record %s)", deleted.record_id)
        flash("Your organisation and everything it held are deleted. Thank you for using Franko.", "success")
        return redirect(url_for("main.index"), 303)
    return render_template("ownerdata/confirm_delete.html", form=form, token=token,
                           billing=bool(current_user.stripe_subscription_id))


@bp.route("/admin/deletions")
@admin_required
def deletions():
    return render_template("ownerdata/deletions.html", deletions=services.deletions())
