"""The admins' view of the job queue: how many jobs wait, run and failed, the oldest's age; retry a failed one."""
from flask import flash, redirect, render_template, url_for

from franko.admin import bp
from franko.admin.decorators import admin_required
from franko.extensions import db
from franko.jobs import admin as jobs


@bp.route("/jobs")
@admin_required
def queue():
    return render_template("admin/jobs.html", summary=jobs.summary(), rows=jobs.listing(), title="Job queue")


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@admin_required
def retry_job(job_id: int):
    if jobs.retry(job_id):
        db.session.commit()
        flash(f"Job {job_id} is queued again.", "success")
    else:
        flash(f"Job {job_id} is not a failed job (any more).", "warning")
    return redirect(url_for("admin.queue"))
