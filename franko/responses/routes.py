"""Responses of an instance: the filtered, paginated list, the CSV export, a transcript, deleting one."""
import uuid

from flask import Response, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from franko.extensions import db
from franko.inputs import bounded_int
from franko.instances.forms import ConfirmForm
from franko.instances.services import get_owned_instance
from franko.responses import bp
from franko.responses.services import (
    STATUSES, Filters, delete_response, export_filename, export_rows, get_owned_response, neighbours,
    responses_page, transcript_view,
)


@bp.route("/instances/<uuid:instance_id>/responses")
@login_required
def index(instance_id: uuid.UUID):
    instance = get_owned_instance(instance_id, current_user.user_id)
    filters = Filters.from_args(request.args)
    number = request.args.get("page", 1, type=bounded_int) or 1
    per_page = current_app.config.get("FRANKO_RESPONSES_PER_PAGE", 25)
    page = responses_page(instance.id, filters, number, per_page)
    return render_template("responses/index.html", instance=instance, page=page, filters=filters,
                           statuses=STATUSES, delete_form=ConfirmForm())


@bp.route("/instances/<uuid:instance_id>/responses.csv")
@login_required
def export(instance_id: uuid.UUID):
    """Exactly what the list's filters select, streamed as it is read."""
    instance = get_owned_instance(instance_id, current_user.user_id)
    filters = Filters.from_args(request.args)
    filename = export_filename(instance, filters.status)
    return Response(
        stream_with_context(export_rows(instance, filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/responses/<uuid:response_id>")
@login_required
def show(response_id: uuid.UUID):
    response, instance = get_owned_response(response_id, current_user.user_id)
    newer, older = neighbours(response)
    questions, marks = transcript_view(response, instance)
    return render_template("responses/show.html", response=response, instance=instance, newer=newer, older=older,
                           messages=response.conversation.entries(), legacy_text=response.conversation.text,
                           questions=questions, marks=marks, delete_form=ConfirmForm())


@bp.route("/responses/<uuid:response_id>/delete", methods=["POST"])
@login_required
def delete(response_id: uuid.UUID):
    response, instance = get_owned_response(response_id, current_user.user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = response.interviewee_first_name or "the interviewee"
        delete_response(response)
        db.session.commit()
        flash(f"The response of {name} was deleted.", "success")
    return redirect(url_for("responses.index", instance_id=instance.id))
