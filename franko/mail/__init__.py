"""Email: SMTP when MAIL_SERVER is set; otherwise the log and a development outbox page."""
from flask import Blueprint

bp = Blueprint("mail", __name__)

from franko.mail import routes  # noqa: E402,F401
