"""Account rules shared by the views and the CLI."""
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from franko.auth.passwords import hash_password, is_legacy_hash, verify_password
from franko.extensions import db
from franko.models import LoginSession, Profile
from franko.clock import utcnow
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
    """The profile if the password is right; a legacy bcrypt hash is replaced by the app's scheme (the caller commits)."""
    profile = find_by_email(email)
    if profile is None or not verify_password(profile.password_hash, password):
        return None
    if is_legacy_hash(profile.password_hash):
        profile.password_hash = hash_password(password)
        db.session.flush()
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


def make_login_token(profile: Profile, emailed: bool = False) -> str:
    """A signed token for `profile`, valid until it expires or a password is set with it (or otherwise).

    `emailed`: the link goes to the profile's address ("Forgot password"); it expires sooner, and
    following it proves the owner reads that address, so it verifies it.
    """
    data = {"u": profile.user_id, "p": _password_fingerprint(profile)}
    if emailed:
        data["e"] = (profile.email or "").lower()
    return _serializer().dumps(data)


def profile_for_login_token(token: str) -> Profile | None:
    """The profile a token was issued for, or None when it is forged, expired or already used."""
    found = read_login_token(token)
    return found[0] if found else None


def read_login_token(token: str) -> tuple[Profile, str | None] | None:
    """(profile, the address the link was emailed to or None) for a live token, else None."""
    config = current_app.config
    try:
        data = _serializer().loads(token, max_age=config.get("FRANKO_LOGIN_LINK_MAX_AGE", 24 * 3600))
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str):
        return None
    emailed_to = data.get("e") if isinstance(data.get("e"), str) else None
    if emailed_to is not None:  # a "Forgot password" link lives a shorter time
        try:
            _serializer().loads(token, max_age=config.get("FRANKO_RESET_LINK_MAX_AGE", 3600))
        except BadData:
            return None
    profile = db.session.get(Profile, data["u"])
    if profile is None or not hmac.compare_digest(str(data.get("p")), _password_fingerprint(profile)):
        return None
    return profile, emailed_to


def mark_verified_if(profile: Profile, address: str | None) -> None:
    """Verify the profile's email when `address` (where a followed link was sent) is still it."""
    if address and profile.email and profile.email.lower() == address and profile.email_verified_at is None:
        profile.email_verified_at = utcnow()


# --- email verification: sign-up and email changes ----------------------------------------------

EMAIL_LINK_SALT = "franko-email-link"


class EmailTaken(Exception):
    """Another account has had this address verified or registered meanwhile."""


def newest_session_id(user_id: str) -> str | None:
    """The digest of the profile's most recently started session (None without one)."""
    return db.session.scalar(
        sa.select(LoginSession.id).where(LoginSession.user_id == user_id)
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc()).limit(1)
    )


def _change_fingerprint(user_id: str) -> str:
    """Names the profile's newest login session without revealing it: asking for a change renews it."""
    newest = newest_session_id(user_id) or "no-session"
    return hashlib.sha256(("email-change:" + newest).encode("utf-8")).hexdigest()[:24]


def make_email_token(profile: Profile, address: str) -> str:
    """A signed link that sets `address` as the profile's email, verified; bound to the current email.

    Once followed the email differs from the one it was bound to (a change) or is already verified
    (sign-up), so a link works once. A change link is also bound to the newest login session: each
    request for a change starts a new one (`emails.send_verification`), so it voids every earlier link.
    """
    current = (profile.email or "").lower()
    data = {"u": profile.user_id, "e": address.strip(), "c": current}
    if address.strip().lower() != current:
        data["s"] = _change_fingerprint(profile.user_id)
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_LINK_SALT).dumps(data)


def confirm_email_token(token: str) -> Profile | None:
    """Apply a verification link: the profile, its email now the link's address and verified; None if void.

    Raises EmailTaken when another account uses the address now. The caller commits.
    """
    max_age = current_app.config.get("FRANKO_VERIFY_LINK_MAX_AGE", 7 * 24 * 3600)
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_LINK_SALT).loads(
            token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("u", "e", "c")):
        return None
    profile = db.session.get(Profile, data["u"])
    if profile is None or (profile.email or "").lower() != data["c"]:
        return None
    address = data["e"]
    if address.lower() == data["c"]:
        if profile.email_verified_at is not None:
            return None  # already used
    else:
        if not hmac.compare_digest(str(data.get("s")), _change_fingerprint(profile.user_id)):
            return None  # a newer change was asked for (or every session of the account ended)
        other = find_by_email(address)
        if other is not None and other.user_id != profile.user_id:
            raise EmailTaken(address)
    profile.email = address
    profile.email_verified_at = utcnow()
    return profile


def find_account(email_or_user_id: str) -> Profile | None:
    """The profile with this email (case-insensitive) or this user_id."""
    value = email_or_user_id.strip()
    return db.session.get(Profile, value) or find_by_email(value)


def set_password(profile: Profile, password: str) -> None:
    """Store a new password with the app's scheme; the caller commits."""
    profile.password_hash = hash_password(password)
