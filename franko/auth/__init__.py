"""Accounts: sign up, log in and out, one-time login links (password reset and account claim)."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from franko.auth import routes  # noqa: E402,F401
