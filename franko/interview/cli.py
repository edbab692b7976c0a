"""`flask franko …` commands of the interview feature."""
import click
from flask import current_app

from franko.commands import franko_cli
from franko.extensions import db
from franko.interview.services import close_stale


@franko_cli.command("close-stale")
@click.option("--minutes", type=int, default=None,
              help="Idle time after which an interview is abandoned (default: FRANKO_STALE_INTERVIEW_MINUTES).")
def close_stale_command(minutes: int | None) -> None:
    """Mark in-progress interviews with no answer for a while as abandoned (run it from cron)."""
    minutes = minutes if minutes is not None else current_app.config["FRANKO_STALE_INTERVIEW_MINUTES"]
    count = close_stale(minutes)
    db.session.commit()
    click.echo(f"{count} stale interview{'s' if count != 1 else ''} marked abandoned "
               f"(no activity for {minutes} minutes).")
