"""Sign up, log in, log out, passwords (change, forgotten, one-time links) and email verification."""
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from franko.auth import bp, sessions
from franko.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm, SignupForm
from franko.auth.passwords import verify_password
from franko.auth.emails import send_reset, send_verification
from franko.auth.services import (EmailTaken, authenticate, confirm_email_token, create_account, find_by_email,
                                  mark_verified_if, read_login_token, set_password)
from franko.extensions import db, limiter, login_manager
from franko.models import Profile


@login_manager.user_loader
def load_user(session_token: str) -> Profile | None:
    """The owner of a live login session: an ended session (logout, password reset) loads no one."""
    return sessions.profile_for_session(session_token)


login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"


def config_limit(name: str):
    """A POST-only rate limit read from the config at request time (shared through Redis when configured)."""
    return limiter.limit(lambda: current_app.config[name], methods=["POST"])


def safe_next(target: str | None) -> str:
    """`next` only when it is a path on this site; the home page otherwise."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("main.index")


@bp.route("/signup", methods=["GET", "POST"])
@config_limit("FRANKO_SIGNUP_RATE_LIMIT")
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        profile = create_account(form.email.data, form.password.data)
        db.session.flush()  # its user_id, which the link carries
        send_verification(profile, profile.email, change=False)  # queued in the account's own commit
        db.session.commit()
        sessions.log_in(profile)
        flash(f"Welcome to Franko! We sent a link to {profile.email} to confirm it. "
              "Start by describing your organisation.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@config_limit("FRANKO_LOGIN_RATE_LIMIT")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        profile = authenticate(form.email.data, form.password.data)
        if profile is None:
            form.password.errors.append("Wrong email or password.")
        else:
            sessions.log_in(profile, remember=form.remember.data)  # commits the session (and a re-hashed password)
            flash("You are logged in.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.log_out()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    sessions.log_out(everywhere=True)
    flash("You are logged out on every device.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@config_limit("FRANKO_EMAIL_RATE_LIMIT")
def forgot():
    """Email a one-time reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        profile = find_by_email(form.email.data)
        if profile is not None and profile.email:
            send_reset(profile)
            db.session.commit()
        current_app.logger.info("password reset asked for %s: %s", form.email.data,
                                "link sent" if profile else "no such account")
        flash(f"If {form.email.data} has a Franko account, a link to reset its password is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/link/<token>", methods=["GET", "POST"])
def login_link(token: str):
    """Claim an account or reset a password: choose a password, then be logged in.

    Opening the link (GET) changes nothing, so link previews cannot use it up; setting the
    password changes the hash the token is bound to, so the link works once. Every other session
    of the account ends; a link that came by email also verifies the address it came to.
    """
    found = read_login_token(token)
    if found is None:
        return make_response(render_template("auth/link_invalid.html"), 400)
    profile, emailed_to = found
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password(profile, form.password.data)
        mark_verified_if(profile, emailed_to)
        sessions.end_sessions(profile.user_id)
        sessions.log_in(profile)
        current_app.logger.info("password of %s set through a one-time link", profile.user_id)
        flash("Your password is set and you are logged in.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/link.html", form=form, profile=profile)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("This is not your current password.")
        else:
            set_password(current_user, form.password.data)
            ended = sessions.end_sessions(current_user.user_id, keep=current_user.session_token)
            sessions.renew_session(current_user)  # commits; a copy of this browser's cookie dies too
            flash("Your password has been changed" + (f" and {ended} other session(s) ended." if ended else "."),
                  "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/verify/<token>")
def verify_email(token: str):
    """Follow a verification link: the address becomes the account's email, verified (no login needed)."""
    try:
        profile = confirm_email_token(token)
    except EmailTaken:
        db.session.rollback()
        flash("Another account uses this email now; your email was not changed.", "danger")
        return redirect(url_for("main.index"))
    if profile is None:
        return make_response(render_template("auth/link_invalid.html"), 400)
    db.session.commit()
    current_app.logger.info("email of %s verified", profile.user_id)
    flash(f"Thank you: {profile.email} is confirmed.", "success")
    return redirect(url_for("profile.edit") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/verify", methods=["POST"])
@login_required
@config_limit("FRANKO_EMAIL_RATE_LIMIT")
def resend_verification():
    """Send (again) the verification link for the current email, e.g. for an account from before verification."""
    if current_user.email_verified:
        flash("Your email is already confirmed.", "info")
    else:
        send_verification(current_user, current_user.email, change=False)
        db.session.commit()
        flash(f"We sent a link to {current_user.email}: open it to confirm your email.", "info")
    return redirect(url_for("profile.edit"))
