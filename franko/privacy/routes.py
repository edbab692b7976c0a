"""Privacy pages: the owner's settings of an instance (notice, retention); the interviewee's own data by private link."""
import uuid

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from franko.extensions import db, limiter
from franko.instances.services import get_owned_instance
from franko.privacy import bp, services, tokens
from franko.privacy.forms import DeleteMineForm, PrivacySettingsForm


def rate_limit() -> str:
    return current_app.config["FRANKO_PRIVATE_LINK_RATE_LIMIT"]


per_ip = limiter.limit(rate_limit, key_func=get_remote_address)


@bp.route("/instances/<uuid:instance_id>/privacy", methods=["GET", "POST"])
@login_required
def settings(instance_id: uuid.UUID):
    """The instance's privacy notice and retention period."""
    instance = get_owned_instance(instance_id, current_user.user_id)
    form = PrivacySettingsForm(data={"notice": instance.privacy_notice, "retention_days": instance.retention_days})
    if form.is_submitted():
        form = PrivacySettingsForm()
        if form.validate():
            try:
                changed = services.save_settings(instance, form.notice.data, form.retention_days.data,
                                                 actor_id=current_user.user_id)
            except services.PrivacyError as error:
                form.notice.errors = [str(error)]
            else:
                db.session.commit()
                flash("The privacy settings are saved." if changed else "Nothing changed.", "success")
                return redirect(url_for("privacy.settings", instance_id=instance.id))
        return render_template("privacy/settings.html", instance=instance, form=form,
                               policy=services.policy(instance)), 400
    return render_template("privacy/settings.html", instance=instance, form=form, policy=services.policy(instance))


# --- the interviewee's own data (no login: the link is the key) ------------------------------------

def _response_for(token: str):
    """(response, None) for a valid link, else (None, the page saying why)."""
    try:
        response_id = tokens.response_id_of(token)
        return services.get_response(response_id), None
    except tokens.LinkExpired:
        return None, _unavailable("This link has expired. Links to your interview work for a limited time.", 410)
    except tokens.LinkInvalid:
        return None, _unavailable("This link is not valid. Please check that you copied all of it.", 404)
    except services.ResponseGone:
        return None, _unavailable("This interview was deleted. Nothing of it is kept.", 410)


def _unavailable(reason: str, status: int):
    return render_template("interview/unavailable.html", reason=reason), status


def _organisation(response) -> str:
    return (response.instance.owner.organisation_name or "").strip() or "our team"


@bp.route("/my-interview/<token>", methods=["GET"])
@per_ip
def mine(token: str):
    response, error = _response_for(token)
    if error:
        return error
    return _mine_page(token, response, DeleteMineForm(formdata=None))


def _mine_page(token, response, form, status=200):
    data = services.transcript_json(response)
    return render_template("privacy/mine.html", token=token, response=response, data=data, form=form,
                           organisation=_organisation(response)), status


@bp.route("/my-interview/<token>/transcript.<kind>", methods=["GET"])
@per_ip
def download(token: str, kind: str):
    response, error = _response_for(token)
    if error:
        return error
    if kind not in ("json", "txt"):
        return _unavailable("There is no such download.", 404)
    body, mimetype = services.transcript_download(response, kind)
    db.session.commit()  # the owner's audit line
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="interview-{response.id}.{kind}"',
        "Cache-Control": "no-store"})


@bp.route("/my-interview/<token>/delete", methods=["POST"])
@per_ip
def delete(token: str):
    response, error = _response_for(token)
    if error:
        return error
    form = DeleteMineForm()
    if not form.validate_on_submit():
        return _mine_page(token, response, form, 400)
    organisation = _organisation(response)
    services.delete_by_interviewee(response.id)
    db.session.commit()
    return render_template("privacy/deleted.html", organisation=organisation)
