"""Accounts: sign up, log in and out, one-time login links (password reset and account claim)."""
from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint and its commands on `app`."""
    # Imported here, not above: importing franko.auth's services must not load its routes.
    from franko.auth import cli, routes  # noqa: F401 — cli adds its commands to `flask franko`

    app.register_blueprint(bp, url_prefix="/auth")
