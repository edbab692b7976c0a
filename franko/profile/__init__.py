"""The organisation profile: who the owner is and what the agents say about the organisation."""
from flask import Blueprint, Flask

bp = Blueprint("profile", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint on `app`."""
    # Imported here, not above: importing franko.profile's services must not load its routes.
    from franko.profile import routes  # noqa: F401

    app.register_blueprint(bp, url_prefix="/profile")
