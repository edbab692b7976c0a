"""The insight jobs: a completed response's summary, an instance's themes (each recomputed whole: safe to run twice)."""
import uuid

import sqlalchemy as sa

from franko.extensions import db
from franko.insights import summaries, themes
from franko.jobs import job
from franko.models import ChatResponse


@job()
def summarize_response(response_id: str, force: bool = False) -> str | None:
    """Write the response's summary (safe to run twice); returns its instance's id (None: the response is gone)."""
    pending = summaries.summary_to_make(response_id, force)
    db.session.commit()  # no transaction open while the model thinks
    if pending is None:
        return None
    if pending.material is not None:
        summaries.store_summary(response_id, pending.stored, summaries.summarize(pending.material, pending.llm))
        db.session.commit()
    return pending.instance_id


@job()
def refresh_themes(instance_id: str, force: bool = False) -> None:
    """Recompute the themes across the instance's completed responses (safe to run twice)."""
    pending = themes.themes_to_make(instance_id, force)
    db.session.commit()  # no transaction open while the model thinks
    if pending is not None and pending.sources is not None:
        themes.store_themes(pending.instance_id, pending.stored, themes.compute(pending.sources, pending.llm))
        db.session.commit()


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
