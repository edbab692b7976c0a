"""Outbound webhooks (§11): per instance, a URL that receives `response.completed`, signed, retried, logged."""
from flask import Blueprint, Flask

from franko.jobs import register_module

bp = Blueprint("webhooks", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint and its jobs on `app`."""
    # Imported here, not above: importing franko.webhooks's services must not load its routes.
    from franko.webhooks import jobs, routes  # noqa: F401

    register_module(app, jobs)
    app.register_blueprint(bp)  # /instances/<id>/webhook
