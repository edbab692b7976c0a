"""Outbound webhooks (§11): per instance, a URL that receives `response.completed`, signed, retried, logged."""
from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from franko.webhooks import routes  # noqa: E402,F401
