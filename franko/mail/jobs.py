"""The email job: every email leaves through the queue (`send_template`), retried with backoff while the server fails."""
from franko.jobs import job
from franko.jobs.store import done_now
from franko.mail.services import render_email, send_email


class MailServerDown(RuntimeError):
    """The mail server refused or could not be reached; the queue tries again later."""


@job(retries=8, retry_delay=30)
def deliver_email(to: str, subject: str, body: str) -> None:
    """Hand one rendered email to the mail server (or the log and the outbox without one)."""
    if not send_email(to, subject, body, accepted=done_now):  # the job is done at the server's 250
        raise MailServerDown(f"email to {to} ({subject}) not sent")


def send_template(to: str, subject: str, template: str, **context) -> bool:
    """Render templates/email/<template>.txt and queue it in the caller's transaction (the caller commits)."""
    deliver_email.enqueue(to, subject, render_email(template, **context))
    return True
