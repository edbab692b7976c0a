"""Notifications (§11): the owner's emails about completed responses (each one, or a daily digest) and the quota."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from franko.notifications import routes  # noqa: E402,F401
