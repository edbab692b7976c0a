"""The account emails: the verification link (sign-up, email change) and the password-reset link."""
from flask import current_app

from franko.auth.sessions import renew_session
from franko.auth.services import make_email_token, make_login_token
from franko.mail.jobs import send_template
from franko.models import Profile
from franko.urls import external_url


def send_verification(profile: Profile, address: str, change: bool) -> bool:
    """Email the link that verifies `address` (and, for a change, makes it the profile's email).

    A change first renews this browser's login session: the link is bound to the newest session, so
    the links of every earlier change stop working (a mistyped address cannot take the account later).
    """
    if change:
        renew_session(profile)
    days = current_app.config.get("FRANKO_VERIFY_LINK_MAX_AGE", 7 * 24 * 3600) // (24 * 3600)
    link = external_url("auth.verify_email", token=make_email_token(profile, address))
    subject = "Confirm your new Franko email" if change else "Confirm your Franko email"
    return send_template(address, subject, "verify", link=link, change=change, days=days)


def send_reset(profile: Profile) -> bool:
    """Email a one-time link that sets a new password (and verifies the address it reached)."""
    minutes = current_app.config.get("FRANKO_RESET_LINK_MAX_AGE", 3600) // 60
    link = external_url("auth.login_link", token=make_login_token(profile, emailed=True))
    return send_template(profile.email, "Reset your Franko password", "reset", link=link, minutes=minutes)
