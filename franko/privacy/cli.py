"""`flask franko retention`: run the retention deletion now (the worker runs it hourly anyway)."""
import click
from flask.cli import with_appcontext

from franko.models import utcnow


@click.command("retention")
@with_appcontext
def retention() -> None:
    """Delete every instance's responses older than its retention period, now."""
    from franko.privacy.jobs import run_retention

    deleted = run_retention(utcnow())
    click.echo(f"{sum(deleted.values())} responses deleted from {len(deleted)} instances." if deleted
               else "No response is past its instance's retention period.")


def register() -> None:
    from franko.commands import franko_cli

    if "retention" not in franko_cli.commands:
        franko_cli.add_command(retention)
