"""The development outbox: the emails the app would have sent, with their links, newest first."""
import re

from flask import abort, render_template

from franko.mail import bp
from franko.mail.services import outbox, outbox_enabled

LINK = re.compile(r"https?://[^\s<>\"]+")


@bp.route("/outbox")
def show_outbox():
    if not outbox_enabled():
        abort(404)
    messages = [(m, LINK.findall(m.body)) for m in reversed(outbox())]
    return render_template("mail/outbox.html", messages=messages)
