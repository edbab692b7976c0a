"""The home page: usage against the plan, recent responses, the first-run checklist."""
from flask import Blueprint, Flask

bp = Blueprint("main", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint on `app`."""
    # Imported here, not above: importing franko.main's services must not load its routes.
    from franko.main import routes  # noqa: F401

    app.register_blueprint(bp)
