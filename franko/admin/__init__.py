"""Admins: every organisation's usage against its quotas."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from franko.admin import queue, routes  # noqa: E402,F401
