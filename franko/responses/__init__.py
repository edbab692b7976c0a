"""Responses: the interviews an instance collected, their transcripts and CSV export."""
from flask import Blueprint

bp = Blueprint("responses", __name__)

from franko.responses import routes  # noqa: E402,F401
