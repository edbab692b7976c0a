"""`flask franko insights`: queue summaries and themes for responses completed before (or without) the worker."""
import uuid

import click
import sqlalchemy as sa

from franko.cli import franko_cli
from franko.extensions import db
from franko.insights.jobs import refresh_themes, summarize_response
from franko.models import ChatResponse


@franko_cli.command("insights")
@click.option("--missing", is_flag=True, help="Only responses without a summary (default: recompute every one).")
@click.option("--instance", "instance_id", type=click.UUID, default=None, help="Only this chat instance's responses.")
def insights_command(missing: bool, instance_id: uuid.UUID | None) -> None:
    """Queue a summary for each completed response (all, or those that have none) and the themes of their instances."""
    query = sa.select(ChatResponse.id, ChatResponse.chat_instance_id).where(ChatResponse.status == "completed")
    if missing:
        query = query.where(ChatResponse.summary.is_(None))
    if instance_id is not None:
        query = query.where(ChatResponse.chat_instance_id == instance_id)
    rows = db.session.execute(query.order_by(ChatResponse.id)).all()  # ids only: then no read open while jobs run
    db.session.commit()
    instances = sorted({str(row.chat_instance_id) for row in rows})
    for row in rows:
        summarize_response.enqueue(str(row.id), not missing)
    count = len(rows)
    for found in instances:  # after the summaries: the model reads them
        refresh_themes.enqueue(found, not missing)
    click.echo(f"{count} summar{'ies' if count != 1 else 'y'} and the themes of {len(instances)} "
               f"instance{'s' if len(instances) != 1 else ''} queued.")
