"""Sign up, log in, log out."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from franko.auth import bp
from franko.auth.forms import LoginForm, SignupForm
from franko.auth.services import authenticate, create_account
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
