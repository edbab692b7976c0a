"""Chat instances: list, create, show (with the public link), edit the guide (live preview), versions, delete."""
import uuid

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from franko.exceptions import AtCap
from franko.extensions import db
from franko.guide import parse_guide
from franko.instances import bp
from franko.instances.forms import ConfirmForm, GuideForm
from franko.instances.services import (
    GUIDE_MAX_LENGTH, cap_message, count_responses, create_instance, delete_instance, get_owned_instance, list_instances,
    public_link, update_guide,
)
from franko.guide_versions import compare, list_versions, version_text
from franko.insights.coverage import coverage_chart_svg, find_version, instance_coverage


def at_cap() -> bool:
    return (current_user.total_chat_instances_used or 0) >= (current_user.total_chat_instances_available or 0)


@bp.route("/")
@login_required
def index():
    return render_template("instances/index.html", rows=list_instances(current_user.user_id),
                           at_cap=at_cap(), cap_message=cap_message(current_user), public_link=public_link)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = GuideForm()
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = parse_guide(form.interview_guide.data)
        else:
            try:
                instance = create_instance(current_user.user_id, form.interview_guide.data)
            except AtCap:
                db.session.rollback()
                flash(cap_message(current_user), "warning")
                return redirect(url_for("instances.index"))
            db.session.commit()
            flash("Your chat instance is ready. Share its link to start interviews.", "success")
            return redirect(url_for("instances.show", instance_id=instance.id))
    return render_template("instances/new.html", form=form, preview=preview, at_cap=at_cap(),
                           cap_message=cap_message(current_user))


@bp.route("/preview", methods=["POST"])
@login_required
def preview():
    """The preview panel for the text being typed (the editor's script asks as the owner types)."""
    text = request.form.get("interview_guide", "")[:GUIDE_MAX_LENGTH]
    return render_template("instances/_guide_preview.html", guide=parse_guide(text))


@bp.route("/<uuid:instance_id>")
@login_required
def show(instance_id: uuid.UUID):
    instance = get_owned_instance(instance_id, current_user.user_id)
    return render_template("instances/show.html", instance=instance, link=public_link(instance),
                           guide=instance.guide, response_count=count_responses(instance.id),
                           versions=list_versions(instance.id), coverage=instance_coverage(instance))


@bp.route("/<uuid:instance_id>/coverage.svg")
@login_required
def coverage_chart(instance_id: uuid.UUID):
    """The coverage chart of one guide version (?version=N; "none" for interviews older than versions)."""
    instance = get_owned_instance(instance_id, current_user.user_id)
    asked = request.args.get("version", "")
    version = None if asked == "none" else request.args.get("version", type=int)
    if version is None and asked != "none":
        abort(404)
    found = find_version(instance_coverage(instance), version)
    if found is None:
        abort(404)
    response = Response(coverage_chart_svg(found), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/<uuid:instance_id>/edit", methods=["GET", "POST"])
@login_required
def edit(instance_id: uuid.UUID):
    instance = get_owned_instance(instance_id, current_user.user_id)
    form = GuideForm(obj=instance)
    preview = instance.guide if request.method == "GET" else None
    if form.validate_on_submit():
        if form.preview.data:
            preview = parse_guide(form.interview_guide.data)
        else:
            before = instance.interview_guide
            number = update_guide(instance, form.interview_guide.data)
            db.session.commit()
            changed = instance.interview_guide != before
            flash(f"The interview guide is saved as version {number}. Interviews already running continue on "
                  "the version they started on." if changed else "The interview guide is unchanged.", "success")
            return redirect(url_for("instances.show", instance_id=instance.id))
    return render_template("instances/edit.html", form=form, instance=instance, preview=preview)


@bp.route("/<uuid:instance_id>/versions/compare")
@login_required
def compare_versions(instance_id: uuid.UUID):
    """Two versions of the guide side by side (?a=1&b=2; by default the two newest)."""
    instance = get_owned_instance(instance_id, current_user.user_id)
    versions = list_versions(instance.id)
    if not versions:
        abort(404)
    numbers = [v.number for v in versions]
    b = request.args.get("b", type=int) or numbers[0]
    a = request.args.get("a", type=int) or (numbers[1] if len(numbers) > 1 else numbers[0])
    left, right = version_text(instance.id, a), version_text(instance.id, b)
    if left is None or right is None:
        abort(404)
    return render_template("instances/compare.html", instance=instance, versions=versions, a=a, b=b,
                           rows=compare(left, right), left=parse_guide(left), right=parse_guide(right))


@bp.route("/<uuid:instance_id>/delete", methods=["GET", "POST"])
@login_required
def delete(instance_id: uuid.UUID):
    """GET asks for confirmation, naming how many responses go too; POST deletes."""
    instance = get_owned_instance(instance_id, current_user.user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = instance.title
        try:
            deleted = delete_instance(instance)
            db.session.commit()
        except IntegrityError:  # an interview started on this instance while it was being deleted
            db.session.rollback()
            flash("A new interview started on this instance just now; nothing was deleted. Try again.", "warning")
            return redirect(url_for("instances.delete", instance_id=instance_id))
        flash(f"“{title}” and its {deleted} response{'s' if deleted != 1 else ''} were deleted.", "success")
        return redirect(url_for("instances.index"))
    return render_template("instances/delete.html", form=form, instance=instance,
                           response_count=count_responses(instance.id))
