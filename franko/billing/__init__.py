"""Plans and Stripe billing: checkout, the customer portal, the webhook."""
from flask import Blueprint

bp = Blueprint("billing", __name__)

from franko.billing import routes  # noqa: E402,F401
