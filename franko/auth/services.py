"""Account rules shared by the views and the CLI."""
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from franko.auth.passwords import hash_password, is_legacy_hash, verify_password
from franko.extensions import db
from franko.models import Profile
from franko.plans import PlanName, start_on_plan


def find_by_email(email: str) -> Profile | None:
    """The profile with this email, compared case-insensitively (as the unique index does)."""
    return db.session.scalar(sa.select(Profile).where(sa.func.lower(Profile.email) == email.strip().lower()))


def create_account(email: str, password: str) -> Profile:
    """A new owner on the free plan; the caller commits."""
    profile = Profile(email=email.strip(), password_hash=hash_password(password))
    start_on_plan(profile, PlanName.FREE)
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


# --- one-time login links: account claim and password reset -----------------------------------

LOGIN_LINK_SALT = "franko-login-link"


def _password_fingerprint(profile: Profile) -> str:
    """A digest of the current password hash: setting a password changes it, which kills the link.

    The hash itself never goes into the link (a signed token is readable, not encrypted).
    """
    return hashlib.sha256((profile.password_hash or "no-password").encode("utf-8")).hexdigest()[:24]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LOGIN_LINK_SALT)


def make_login_token(profile: Profile) -> str:
    """A signed token for `profile`, valid until it expires or a password is set with it (or otherwise)."""
    return _serializer().dumps({"u": profile.user_id, "p": _password_fingerprint(profile)})


def profile_for_login_token(token: str) -> Profile | None:
    """The profile a token was issued for, or None when it is forged, expired or already used."""
    max_age = current_app.config.get("FRANKO_LOGIN_LINK_MAX_AGE", 24 * 3600)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        return None
    profile = db.session.get(Profile, data["u"])
    if profile is None or not hmac.compare_digest(str(data.get("p")), _password_fingerprint(profile)):
        return None
    return profile


def find_account(email_or_user_id: str) -> Profile | None:
    """The profile with this email (case-insensitive) or this user_id."""
    value = email_or_user_id.strip()
    return db.session.get(Profile, value) or find_by_email(value)


def set_password(profile: Profile, password: str) -> None:
    """Store a new password with the app's scheme; the caller commits."""
    profile.password_hash = hash_password(password)
