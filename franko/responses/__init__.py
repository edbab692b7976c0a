"""Responses: the interviews an instance collected, their transcripts and CSV export."""
from flask import Blueprint, Flask

bp = Blueprint("responses", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint on `app`."""
    # Imported here, not above: importing franko.responses's services must not load its routes.
    from franko.responses import routes  # noqa: F401

    app.register_blueprint(bp)  # /instances/<id>/responses and /responses/<id>
