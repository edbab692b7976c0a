"""The organisation profile: who the owner is and what the agents say about the organisation."""
from flask import Blueprint

bp = Blueprint("profile", __name__)

from franko.profile import routes  # noqa: E402,F401
