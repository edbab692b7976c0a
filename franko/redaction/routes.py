"""The redaction settings page of one instance."""
import uuid

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from franko.extensions import db
from franko.models import ChatInstance
from franko.redaction import bp
from franko.redaction.forms import RedactionForm
from franko.redaction.rules import LABELS, MASKS
from franko.redaction.services import set_redaction
from franko.redaction.settings import settings_of


@bp.route("/instances/<uuid:instance_id>/redaction", methods=["GET", "POST"])
@login_required
def settings(instance_id: uuid.UUID):
    # Another owner's instance looks like a missing one.
    instance = db.first_or_404(sa.select(ChatInstance).where(ChatInstance.id == instance_id,
                                                             ChatInstance.user_id == current_user.user_id))
    form = RedactionForm.of(settings_of(instance))
    if form.is_submitted():
        form = RedactionForm()
        if form.validate_on_submit():
            chosen = form.settings()
            set_redaction(instance, chosen, actor_id=current_user.user_id)
            db.session.commit()
            flash("Saved: from the next message on, " + (
                "the values you chose are masked before any text reaches the language model." if chosen.on
                else "nothing is masked."), "success")
            return redirect(url_for("redaction.settings", instance_id=instance.id))
    return render_template("redaction/settings.html", instance=instance, form=form, labels=LABELS, masks=MASKS)
