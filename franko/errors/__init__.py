"""Error pages: the same look for 403, 404, 429 and 500, and JSON for clients that ask for it."""
from flask import Blueprint, Flask

bp = Blueprint("errors", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint on `app`."""
    # Imported here, not above: importing franko.errors's services must not load its routes.
    from franko.errors import handlers  # noqa: F401

    app.register_blueprint(bp)
