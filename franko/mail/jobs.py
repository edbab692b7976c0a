"""The email job: every email leaves through the queue, retried with backoff while the server fails."""
from franko.jobs import job
from franko.jobs.store import done_now
from franko.mail.services import send_email


class MailServerDown(RuntimeError):
    """The mail server refused or could not be reached; the queue tries again later."""


@job(retries=8, retry_delay=30)
def deliver_email(to: str, subject: str, body: str) -> None:
    """Hand one rendered email to the mail server (or the log and the outbox without one)."""
    if not send_email(to, subject, body, accepted=done_now):  # the job is done at the server's 250
        raise MailServerDown(f"email to {to} ({subject}) not sent")
