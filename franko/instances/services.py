"""Chat-instance rules: the public link, listing, creating, editing the guide (a new version), deleting.

The guide itself is read by `franko.guide.parse_guide`, and by nothing else. Like every service,
these flush and never commit: the route commits.
"""
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from franko.exceptions import AtCap, NotOwned
from franko.extensions import db
from franko.guide_versions import record_version
from franko.models import ChatInstance, ChatResponse, GuideVersion, Profile, WebhookDelivery
from franko.plans import PlanName, release_instance_slot, take_instance_slot
from franko.urls import external_url

GUIDE_MAX_LENGTH = 20_000


def public_link(instance: ChatInstance | uuid.UUID | str) -> str:
    """The link interviewees open (`interview.start`, at /i/<id>), on FRANKO_BASE_URL."""
    instance_id = instance.id if isinstance(instance, ChatInstance) else instance
    return external_url("interview.start", instance_id=instance_id)


@dataclass(frozen=True)
class InstanceRow:
    instance: ChatInstance
    response_count: int


def list_instances(user_id: str) -> list[InstanceRow]:
    """The owner's instances, newest first, each with its response count, in one query."""
    count = (
        sa.select(sa.func.count(ChatResponse.id))
        .where(ChatResponse.chat_instance_id == ChatInstance.id)
        .correlate(ChatInstance)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(ChatInstance, count)
        .where(ChatInstance.user_id == user_id)
        .order_by(ChatInstance.created_at.desc(), ChatInstance.id)
    ).all()
    return [InstanceRow(instance, n) for instance, n in rows]


def count_responses(instance_id: uuid.UUID) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(ChatResponse.id)).where(ChatResponse.chat_instance_id == instance_id)
    ) or 0


def create_instance(user_id: str, guide: str | None) -> ChatInstance:
    """A new instance in the owner's free slot; AtCap (nothing changed) at the plan's cap.

    The slot and the row are written in the caller's transaction, so a refused or failed insert
    never leaves a slot taken.
    """
    if not take_instance_slot(user_id):
        raise AtCap()
    instance = ChatInstance(id=uuid.uuid4(), user_id=user_id, interview_guide=clean_guide(guide))
    db.session.add(instance)
    db.session.flush()
    record_version(instance)
    return instance


def update_guide(instance: ChatInstance, guide: str | None) -> int | None:
    """Save the guide; a changed text becomes a new version (running interviews keep theirs). Returns its number."""
    instance.interview_guide = clean_guide(guide)
    db.session.flush()  # the instance's row is written (and on PostgreSQL locked) before the version
    return record_version(instance)


def delete_instance(instance: ChatInstance) -> int:
    """Delete the instance and all its responses, give its slot back; returns how many responses went."""
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.chat_instance_id == instance.id),
                       execution_options={"synchronize_session": False})
    deleted = db.session.execute(
        sa.delete(ChatResponse).where(ChatResponse.chat_instance_id == instance.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.execute(sa.delete(GuideVersion).where(GuideVersion.chat_instance_id == instance.id),
                       execution_options={"synchronize_session": False})
    user_id = instance.user_id
    db.session.delete(instance)
    release_instance_slot(user_id)
    db.session.flush()
    return deleted


def clean_guide(guide: str | None) -> str | None:
    """Normalised line endings and no trailing blanks; an empty guide is stored as NULL."""
    if guide is None:
        return None
    text = "\n".join(line.rstrip() for line in guide.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    text = text.strip("\n")
    return text or None


def cap_message(profile: Profile) -> str:
    """What an owner at the plan's cap reads: why creating is refused and what to do about it."""
    cap = profile.total_chat_instances_available or 0
    used = profile.total_chat_instances_used or 0
    what_to_do = "delete an instance you no longer need"
    if profile.membership != PlanName.PRO:
        what_to_do += ", or upgrade your plan for more"
    return (f"Your {profile.membership} plan allows {cap} chat instance{'s' if cap != 1 else ''} "
            f"and you have {used}. To create another, {what_to_do}.")


def get_owned_instance(instance_id: uuid.UUID, user_id: str) -> ChatInstance:
    """The instance if `user_id` owns it; NotOwned otherwise (a 404: another owner's looks like a missing one)."""
    instance = db.session.scalar(
        sa.select(ChatInstance).where(ChatInstance.id == instance_id, ChatInstance.user_id == user_id)
    )
    if instance is None:
        raise NotOwned()
    return instance
