"""`admin_required`: the one gate in front of every admin view; `is_admin`, the one rule behind it (and the menu)."""
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

def admin_required(view):
    """Anonymous visitors are sent to log in; logged-in owners who are not admins get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not is_admin():
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def is_admin() -> bool:
    """Whether the logged-in user's email is one of FRANKO_ADMIN_EMAILS *and verified* (§6): typing an
    admin's address into sign-up or the profile grants nothing until the link sent there is followed."""
    if not current_user.is_authenticated or not current_user.email or not current_user.email_verified:
        return False
    return current_user.email.lower() in current_app.config["FRANKO_ADMIN_EMAILS"]
