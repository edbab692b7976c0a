"""The public interview: intake, the chat with the agent, charging the owner."""
from flask import Blueprint, Flask

from franko.jobs import register_module

bp = Blueprint("interview", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint, its jobs and its commands on `app`."""
    # Imported here, not above: importing franko.interview's services must not load its routes.
    from franko.interview import cli, jobs, routes  # noqa: F401 — cli adds its commands to `flask franko`

    register_module(app, jobs)
    app.register_blueprint(bp, url_prefix="/i")  # public, no login
