"""Plans and Stripe billing: checkout, the customer portal, the webhook."""
from flask import Blueprint, Flask

bp = Blueprint("billing", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint and its commands on `app`."""
    # Imported here, not above: importing franko.billing's services must not load its routes.
    from franko.billing import cli, routes  # noqa: F401 — cli adds its commands to `flask franko`

    app.register_blueprint(bp, url_prefix="/billing")
