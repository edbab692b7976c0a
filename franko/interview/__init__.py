"""The public interview: intake, the chat with the agent, charging the owner."""
from flask import Blueprint

bp = Blueprint("interview", __name__)

from franko.interview import routes  # noqa: E402,F401
