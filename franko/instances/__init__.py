"""Chat instances: the owner's interview agents and their guides."""
from flask import Blueprint, Flask

bp = Blueprint("instances", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint on `app`."""
    # Imported here, not above: importing franko.instances's services must not load its routes.
    from franko.instances import routes  # noqa: F401

    app.register_blueprint(bp, url_prefix="/instances")
