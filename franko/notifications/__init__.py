"""Notifications (§11): the owner's emails about completed responses (each one, or a daily digest) and the quota."""
from flask import Blueprint, Flask

from franko.jobs import register_module

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint, its jobs and its commands on `app`."""
    # Imported here, not above: importing franko.notifications's services must not load its routes.
    from franko.notifications import cli, jobs, routes  # noqa: F401 — cli adds its commands to `flask franko`

    register_module(app, jobs)
    app.register_blueprint(bp, url_prefix="/profile/notifications")
