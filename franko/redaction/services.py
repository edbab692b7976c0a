"""Saving an instance's redaction settings (flushes; the route commits)."""
from franko.extensions import db
from franko.models import ChatInstance
from franko.redaction.settings import RedactionSettings


def set_redaction(instance: ChatInstance, settings: RedactionSettings) -> None:
    """Store what the instance masks, and where; from the next message on."""
    instance.redaction = settings.dump()
    db.session.flush()
