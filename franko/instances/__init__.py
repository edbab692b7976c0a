"""Chat instances: the owner's interview agents and their guides."""
from flask import Blueprint

bp = Blueprint("instances", __name__)

from franko.instances import routes  # noqa: E402,F401
