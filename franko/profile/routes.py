"""The organisation profile page."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from franko.auth.emails import send_verification
from franko.extensions import db
from franko.profile import bp
from franko.profile.forms import ProfileForm
from franko.profile.services import FIELDS, save_profile


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit():
    form = ProfileForm(obj=current_user, current_user_id=current_user.user_id)
    if form.validate_on_submit():
        new_email = form.email.data
        # A new address takes effect only when the link sent to it is followed (§9): admin rights
        # and logging in follow the verified address, never a typed one.
        changing = new_email.lower() != (current_user.email or "").lower()
        values = {name: form[name].data for name in FIELDS}
        if changing:
            values["email"] = current_user.email
        save_profile(current_user, values)
        if changing:  # the link, queued in the same commit as the profile
            send_verification(current_user, new_email, change=True)
        try:
            db.session.commit()
        except IntegrityError:  # the email was taken between the check and the write
            db.session.rollback()
            form.email.errors.append("Another account already uses this email.")
        else:
            if changing:
                flash(f"Your organisation profile is saved. We sent a link to {new_email}: your email "
                      "changes when you open it.", "success")
            else:
                flash("Your organisation profile is saved.", "success")
            return redirect(url_for("profile.edit"))
    return render_template("profile/edit.html", form=form)
