"""Email: SMTP when MAIL_SERVER is set; otherwise the log and a development outbox page."""
from flask import Blueprint, Flask

from franko.jobs import register_module

bp = Blueprint("mail", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint and its jobs on `app`."""
    # Imported here, not above: importing franko.mail's services must not load its routes.
    from franko.mail import jobs, routes  # noqa: F401

    register_module(app, jobs)
    app.register_blueprint(bp, url_prefix="/dev")  # the outbox, only without a mail server
