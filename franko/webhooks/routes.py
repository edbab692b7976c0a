"""The owner's webhook settings and delivery log of one instance."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from franko.extensions import db
from franko.inputs import bounded_int
from franko.instances.services import get_owned_instance
from franko.webhooks import bp
from franko.webhooks.forms import WebhookForm
from franko.webhooks.services import (
    NoWebhookURL, deliveries_page, get_delivery, replay, rotate_secret, send_test_event, set_url,
)


def _settings(instance, form):
    number = request.args.get("page", 1, type=bounded_int) or 1
    return render_template("webhooks/settings.html", instance=instance, form=form,
                           page=deliveries_page(instance.id, number))


@bp.route("/instances/<uuid:instance_id>/webhook", methods=["GET", "POST"])
@login_required
def settings(instance_id: uuid.UUID):
    """GET: the URL, the secret and the delivery log; POST: save (or, empty, clear) the URL."""
    instance = get_owned_instance(instance_id, current_user.user_id)
    form = WebhookForm(data={"url": instance.webhook_url})
    if request.method == "POST":
        form = WebhookForm()
        if not form.validate_on_submit():
            return _settings(instance, form)
        had_url = instance.webhook_url
        set_url(instance, form.url.data)
        db.session.commit()
        flash("The webhook URL is saved: completed responses will be sent to it." if instance.webhook_url else
              "The webhook URL is removed: no more events will be sent." if had_url else "No webhook URL is set.",
              "success")
        return redirect(url_for("webhooks.settings", instance_id=instance.id))
    return _settings(instance, form)


@bp.route("/instances/<uuid:instance_id>/webhook/secret", methods=["POST"])
@login_required
def rotate(instance_id: uuid.UUID):
    instance = get_owned_instance(instance_id, current_user.user_id)
    rotate_secret(instance)
    db.session.commit()
    flash("A new signing secret is made: update your receiver. Events are signed with it from now on.", "success")
    return redirect(url_for("webhooks.settings", instance_id=instance.id))


@bp.route("/instances/<uuid:instance_id>/webhook/test", methods=["POST"])
@login_required
def test(instance_id: uuid.UUID):
    instance = get_owned_instance(instance_id, current_user.user_id)
    try:
        send_test_event(instance)
    except NoWebhookURL as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash("A test event (ping) is on its way: its delivery is at the top of the log.", "success")
    return redirect(url_for("webhooks.settings", instance_id=instance.id))


@bp.route("/instances/<uuid:instance_id>/webhook/deliveries/<uuid:delivery_id>")
@login_required
def delivery(instance_id: uuid.UUID, delivery_id: uuid.UUID):
    """One delivery: its status and the body exactly as sent."""
    instance = get_owned_instance(instance_id, current_user.user_id)
    return render_template("webhooks/delivery.html", instance=instance, delivery=get_delivery(instance.id, delivery_id))


@bp.route("/instances/<uuid:instance_id>/webhook/deliveries/<uuid:delivery_id>/replay", methods=["POST"])
@login_required
def replay_delivery(instance_id: uuid.UUID, delivery_id: uuid.UUID):
    instance = get_owned_instance(instance_id, current_user.user_id)
    found = get_delivery(instance.id, delivery_id)
    try:
        replay(found, instance)
    except NoWebhookURL as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash("The delivery is sent again, with the same id and body.", "success")
    if request.form.get("back") == "delivery":  # replayed from the delivery's own page
        return redirect(url_for("webhooks.delivery", instance_id=instance.id, delivery_id=found.id))
    return redirect(url_for("webhooks.settings", instance_id=instance.id))
