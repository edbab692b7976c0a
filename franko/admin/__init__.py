"""Admins: every organisation's usage against its quotas."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from franko.admin import audit_log, queue, routes  # noqa: E402,F401
