"""Error pages: the same look for 403, 404, 429 and 500, and JSON for clients that ask for it."""
from flask import Blueprint

bp = Blueprint("errors", __name__)

from franko.errors import handlers  # noqa: E402,F401
