"""The home page: usage against the plan, recent responses, the first-run checklist."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from franko.main import routes  # noqa: E402,F401
