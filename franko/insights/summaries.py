"""A response's summary: by the LLM when one is configured, else offline; its quotes always verbatim."""
import uuid

from franko.extensions import db
from franko.models import ChatResponse


def summarize_and_store(response_id: str) -> str | None:
    """Compute and store the summary of a response; returns its instance id (None: no such response)."""
    response = db.session.get(ChatResponse, uuid.UUID(str(response_id)))
    if response is None:
        return None
    # TODO(issue 12): the summary itself.
    return str(response.chat_instance_id)
