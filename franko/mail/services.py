"""Sending one email: through SMTP when configured, else to the log and the development outbox."""
import logging
import smtplib
import ssl
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template

from franko.models import utcnow

log = logging.getLogger(__name__)
OUTBOX_SIZE = 50


@dataclass(frozen=True)
class Sent:
    to: str
    subject: str
    body: str
    at: datetime = field(default_factory=utcnow)


def outbox() -> deque:
    """The last emails of this process when no mail server is configured (newest last)."""
    return current_app.extensions.setdefault("franko_outbox", deque(maxlen=OUTBOX_SIZE))


def outbox_enabled() -> bool:
    """The outbox page exists only in development and tests, and only without a mail server."""
    config = current_app.config
    return not config.get("MAIL_SERVER") and (current_app.debug or current_app.testing)


def send_template(to: str, subject: str, template: str, **context) -> bool:
    """Render templates/email/<template>.txt and send it; True once handed to the server (or the outbox)."""
    return send_email(to, subject, render_template(f"email/{template}.txt", **context))


def send_email(to: str, subject: str, body: str) -> bool:
    """Send a plain-text email. A mail server that fails is logged, never raised: the caller says "try later"."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("email (no MAIL_SERVER: not sent) to %s: %s\n%s", to, subject, body)
        outbox().append(Sent(to, subject, body))
        return True
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="franko")
    message.set_content(body)
    try:
        with _connect(config) as smtp:
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("email to %s (%s) could not be sent through %s", to, subject, config["MAIL_SERVER"])
        return False
    log.info("email sent to %s: %s", to, subject)
    return True


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config.get("MAIL_PORT", 587), config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls(context=ssl.create_default_context())
    return smtp
