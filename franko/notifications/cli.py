"""`flask franko send-digests`: the daily digests, from cron, without a worker."""
import click

from franko.commands import franko_cli
from franko.jobs import RetryLater
from franko.clock import utcnow
from franko.notifications.services import NotSent, due_digests, send_digest


@franko_cli.command("send-digests")
def send_digests_command() -> None:
    """Email every owner whose daily digest is due now (each at most once a day; safe to run often)."""
    now = utcnow()
    sent = empty = failed = 0
    for user_id in due_digests(now):
        try:
            listed = send_digest(user_id, now)
        except (NotSent, RetryLater):  # the server failed, or a worker is sending this digest right now
            failed += 1
            continue
        if listed:
            sent += 1
        elif listed == 0:
            empty += 1
    click.echo(f"{sent} digest{'s' if sent != 1 else ''} sent, {empty} owner{'s' if empty != 1 else ''} "
               f"with nothing new, {failed} not sent (the mail server failed; the next run tries again).")
    if failed:
        raise SystemExit(1)
