"""Admins: every organisation's usage against its quotas."""
from flask import Blueprint, Flask

bp = Blueprint("admin", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint on `app`."""
    # Imported here, not above: importing franko.admin's services must not load its routes.
    from franko.admin import audit_log, queue, routes  # noqa: F401

    app.register_blueprint(bp, url_prefix="/admin")
