"""The owner's notification settings."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from franko.extensions import db
from franko.notifications import bp
from franko.notifications.forms import NotificationsForm
from franko.notifications.services import set_notify_mode

SAVED = {
    "off": "Saved: you will get no emails about responses.",
    "each": "Saved: you will get an email for each completed response.",
    "daily": "Saved: you will get a daily digest of the responses completed that day.",
}


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit():
    form = NotificationsForm(data={"notify_mode": current_user.notify_mode})
    if form.validate_on_submit():
        set_notify_mode(current_user.user_id, form.notify_mode.data)
        db.session.commit()
        flash(SAVED[form.notify_mode.data], "success")
        return redirect(url_for("notifications.edit"))
    return render_template("notifications/edit.html", form=form)
