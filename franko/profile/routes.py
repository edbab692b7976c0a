"""The organisation profile page."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from franko.extensions import db
from franko.profile import bp
from franko.profile.forms import ProfileForm
from franko.profile.services import FIELDS, save_profile


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit():
    form = ProfileForm(obj=current_user, current_user_id=current_user.user_id)
    if form.validate_on_submit():
        save_profile(current_user, {name: form[name].data for name in FIELDS})
        try:
            db.session.commit()
        except IntegrityError:  # the email was taken between the check and the write
            db.session.rollback()
            form.email.errors.append("Another account already uses this email.")
        else:
            flash("Your organisation profile is saved.", "success")
            return redirect(url_for("profile.edit"))
    return render_template("profile/edit.html", form=form)
