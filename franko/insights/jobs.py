"""The insight jobs: a completed response's summary, an instance's themes (each recomputed whole: safe to run twice)."""
from franko.insights import summaries, themes
from franko.jobs import job


@job()
def summarize_response(response_id: str, force: bool = False) -> str | None:
    """Write the response's summary; returns its instance's id (None: the response is gone)."""
    return summaries.summarize_and_store(response_id, force)


@job()
def refresh_themes(instance_id: str, force: bool = False) -> None:
    """Recompute the themes across the instance's completed responses."""
    themes.refresh(instance_id, force)
