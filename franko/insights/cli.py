"""`flask franko insights`: queue summaries and themes for responses completed before (or without) the worker."""
import uuid

import click

from franko.commands import franko_cli
from franko.insights.jobs import queue_insights


@franko_cli.command("insights")
@click.option("--missing", is_flag=True, help="Only responses without a summary (default: recompute every one).")
@click.option("--instance", "instance_id", type=click.UUID, default=None, help="Only this chat instance's responses.")
def insights_command(missing: bool, instance_id: uuid.UUID | None) -> None:
    """Queue a summary for each completed response (all, or those that have none) and the themes of their instances."""
    count, instances = queue_insights(missing, instance_id)
    click.echo(f"{count} summar{'ies' if count != 1 else 'y'} and the themes of {instances} "
               f"instance{'s' if instances != 1 else ''} queued.")
