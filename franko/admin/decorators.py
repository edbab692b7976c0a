"""`admin_required`: the one gate in front of every admin view."""
from functools import wraps

from flask import abort, current_app
from flask_login import current_user

from franko.templating import is_admin


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
