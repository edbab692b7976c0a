"""The insight jobs: a completed response's summary, an instance's themes (each recomputed whole: safe to run twice)."""
import uuid

import sqlalchemy as sa

from franko.extensions import db
from franko.insights import summaries, themes
from franko.jobs import job
from franko.models import ChatResponse


@job()
def summarize_response(response_id: str, force: bool = False) -> str | None:
    """Write the response's summary; returns its instance's id (None: the response is gone)."""
    return summaries.summarize_and_store(response_id, force)


@job()
def refresh_themes(instance_id: str, force: bool = False) -> None:
    """Recompute the themes across the instance's completed responses."""
    themes.refresh(instance_id, force)


def queue_insights(missing: bool, instance_id: uuid.UUID | None = None) -> tuple[int, int]:
    """Queue a summary for each completed response (all, or those without one) and their instances' themes.

    Returns (responses, instances). For responses completed before the worker ran (the CLI, the demo).
    """
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
    for found in instances:  # after the summaries: the model reads them
        refresh_themes.enqueue(found, not missing)
    db.session.commit()
    return len(rows), len(instances)
