"""Sending one email: through SMTP when configured, else to the log and the development outbox.

Requests only queue their emails (`franko.mail.jobs.send_template`, in their own transaction); the worker
sends them: a job whose worker dies before the server's 250 runs again.
"""
import json
import logging
import os
import smtplib
import ssl
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from franko import metrics
from franko.clock import utcnow

log = logging.getLogger(__name__)
OUTBOX_SIZE = 50
_outbox_lock = threading.Lock()  # the worker's threads write the outbox file in turn


@dataclass(frozen=True)
class Sent:
    to: str
    subject: str
    body: str
    at: datetime = field(default_factory=utcnow)


def outbox() -> deque:
    """The last emails sent without a mail server (newest last).

    Kept in a file of the instance folder under `make run`, where the worker that sends them is
    another process than the server that shows them; in this process's memory in tests.
    """
    path = current_app.config.get("FRANKO_OUTBOX_FILE")
    if not path:
        return current_app.extensions.setdefault("franko_outbox", deque(maxlen=OUTBOX_SIZE))
    found: deque = deque(maxlen=OUTBOX_SIZE)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                found.append(Sent(item["to"], item["subject"], item["body"], datetime.fromisoformat(item["at"])))
    return found


def _keep_in_outbox(sent: Sent) -> None:
    path = current_app.config.get("FRANKO_OUTBOX_FILE")
    if not path:
        outbox().append(sent)
        return
    with _outbox_lock:
        kept = list(outbox())[-(OUTBOX_SIZE - 1):] + [sent]
        with open(path + ".new", "w", encoding="utf-8") as out:
            for item in kept:
                out.write(json.dumps({"to": item.to, "subject": item.subject, "body": item.body,
                                      "at": item.at.isoformat()}) + "\n")
        os.replace(path + ".new", path)


def outbox_enabled() -> bool:
    """The outbox page exists only in development and tests, and only without a mail server."""
    config = current_app.config
    return not config.get("MAIL_SERVER") and (current_app.debug or current_app.testing)


def render_email(template: str, **context) -> str:
    """templates/email/<template>.txt with `context` alone: no request needed (the worker renders emails too)."""
    return current_app.jinja_env.get_template(f"email/{template}.txt").render(**context)


def send_email(to: str, subject: str, body: str, message_id: str | None = None,
               accepted: Callable[[], None] | None = None) -> bool:
    """Send a plain-text email. A mail server that fails is logged, never raised: the caller says "try later".

    `accepted` runs as soon as the server has accepted the message (its 250), before the
    connection is closed: the caller marks the email sent then, leaving the least time in which
    a lost worker would have sent it without knowing.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("email (no MAIL_SERVER: not sent) to %s: %s\n%s", to, subject, body)
        _keep_in_outbox(Sent(to, subject, body))
        if accepted is not None:
            accepted()
        return True
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="franko")
    message.set_content(body)
    try:
        with _connect(config) as smtp:
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
            if accepted is not None:
                accepted()
    except (OSError, smtplib.SMTPException):
        log.exception("email to %s (%s) could not be sent through %s", to, subject, config["MAIL_SERVER"])
        metrics.count_email(sent=False)
        return False
    log.info("email sent to %s: %s", to, subject)
    metrics.count_email(sent=True)
    return True


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config.get("MAIL_PORT", 587), config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls(context=ssl.create_default_context())
    return smtp
