"""`flask franko retention`: run the retention deletion now (the worker runs it hourly anyway)."""
import click

from franko.clock import utcnow
from franko.commands import franko_cli
from franko.privacy.jobs import run_retention


@franko_cli.command("retention")
def retention() -> None:
    """Delete every instance's responses older than its retention period, now."""
    deleted = run_retention(utcnow())
    click.echo(f"{sum(deleted.values())} responses deleted from {len(deleted)} instances." if deleted
               else "No response is past its instance's retention period.")
