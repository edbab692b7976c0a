"""Sign up, log in, log out, change the password, and the one-time login links."""
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from franko.auth import bp
from franko.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm, SignupForm
from franko.auth.passwords import verify_password
from franko.auth.services import authenticate, create_account, profile_for_login_token, set_password
from franko.extensions import db, limiter, login_manager
from franko.models import Profile


@login_manager.user_loader
def load_user(user_id: str) -> Profile | None:
    return db.session.get(Profile, user_id)


login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"


def safe_next(target: str | None) -> str:
    """`next` only when it is a path on this site; the home page otherwise."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("main.index")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        profile = create_account(form.email.data, form.password.data)
        db.session.commit()
        login_user(profile)
        flash("Welcome to Franko! Start by describing your organisation.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["FRANKO_LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        profile = authenticate(form.email.data, form.password.data)
        if profile is None:
            form.password.errors.append("Wrong email or password.")
        else:
            login_user(profile, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot")
def forgot():
    """No mail server is assumed: an admin issues a one-time link from the command line."""
    return render_template("auth/forgot.html")


@bp.route("/link/<token>", methods=["GET", "POST"])
def login_link(token: str):
    """Claim an account or reset a password: choose a password, then be logged in.

    Opening the link (GET) changes nothing, so link previews cannot use it up; setting the
    password changes the hash the token is bound to, so the link works once.
    """
    profile = profile_for_login_token(token)
    if profile is None:
        response = make_response(render_template("auth/link_invalid.html"), 400)
    else:
        form = SetPasswordForm()
        if form.validate_on_submit():
            set_password(profile, form.password.data)
            db.session.commit()
            login_user(profile)
            flash("Your password is set and you are logged in.", "success")
            return redirect(url_for("main.index"))
        response = make_response(render_template("auth/link.html", form=form, profile=profile))
    # The token is in the URL: never send it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("This is not your current password.")
        else:
            set_password(current_user, form.password.data)
            db.session.commit()
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
