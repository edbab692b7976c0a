"""Profile rules: email uniqueness and saving the form's values."""
import sqlalchemy as sa

from franko.extensions import db
from franko.models import Profile

FIELDS = ("first_name", "second_name", "email", "organisation_name", "organisation_url",
          "organisation_description")


def email_taken(email: str, user_id: str) -> bool:
    """Whether another profile has this email, compared case-insensitively like the unique index."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Profile)
        .where(sa.func.lower(Profile.email) == email.strip().lower(), Profile.user_id != user_id)
    ) > 0


def save_profile(profile: Profile, data: dict) -> None:
    """Store the form's values (empty text as NULL); the caller commits.

    `organisation_description_completed` follows the description: the agents can speak for the
    organisation once it is described, and the first-run checklist ticks that step.
    """
    for name in FIELDS:
        value = data.get(name)
        setattr(profile, name, value or None)
    profile.organisation_description_completed = bool(profile.organisation_description)
