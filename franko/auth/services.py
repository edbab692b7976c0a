"""Account rules shared by the views and the CLI."""
import sqlalchemy as sa

from franko.auth.passwords import hash_password, is_legacy_hash, verify_password
from franko.extensions import db
from franko.models import Profile
from franko.plans import apply_plan


def find_by_email(email: str) -> Profile | None:
    """The profile with this email, compared case-insensitively (as the unique index does)."""
    return db.session.scalar(sa.select(Profile).where(sa.func.lower(Profile.email) == email.strip().lower()))


def create_account(email: str, password: str) -> Profile:
    """A new owner on the free plan; the caller commits."""
    profile = Profile(email=email.strip(), password_hash=hash_password(password))
    apply_plan(profile, "free", new_period=True)
    profile.total_chat_instances_used = 0
    profile.total_responses_used = 0
    db.session.add(profile)
    return profile


def authenticate(email: str, password: str) -> Profile | None:
    """The profile if the password is right; a legacy bcrypt hash is replaced by the app's scheme."""
    profile = find_by_email(email)
    if profile is None or not verify_password(profile.password_hash, password):
        return None
    if is_legacy_hash(profile.password_hash):
        profile.password_hash = hash_password(password)
        db.session.commit()
    return profile
