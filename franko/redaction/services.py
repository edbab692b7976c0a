"""Saving an instance's redaction settings (flushes; the route commits)."""
from franko import audit
from franko.extensions import db
from franko.models import ChatInstance
from franko.redaction.settings import RedactionSettings


def set_redaction(instance: ChatInstance, settings: RedactionSettings, actor_id: str | None = None) -> None:
    """Store what the instance masks, and where, from the next message on; a change is an audit line."""
    before = instance.redaction
    instance.redaction = settings.dump()
    if instance.redaction != before:
        audit.record("redaction.changed", actor_id=actor_id, owner_id=instance.user_id,
                     subject=f"instance:{instance.id}", detail={"redaction": instance.redaction})
    db.session.flush()
