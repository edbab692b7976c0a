"""Server-side login sessions: the cookie holds a random token, the database its digest.

A copied cookie stops working once its row is gone: logout ends one session, a password change
ends every other one and renews this browser's, a reset or "log out everywhere" ends them all.
"""
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user, login_user, logout_user

from franko.extensions import db
from franko.models import LoginSession, Profile


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(profile: Profile) -> str:
    """A new session row for `profile`; its token becomes what Flask-Login stores. The caller commits."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=_digest(token), user_id=profile.user_id))
    profile.session_token = token
    return token


def profile_for_session(token: str) -> Profile | None:
    """The profile of a live session (one query), or None when the session was ended or never existed."""
    if not token or len(token) > 128:
        return None
    profile = db.session.scalar(
        sa.select(Profile).join(LoginSession, LoginSession.user_id == Profile.user_id)
        .where(LoginSession.id == _digest(token))
    )
    if profile is not None:
        profile.session_token = token
    return profile


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.id == _digest(token)))


def end_sessions(user_id: str, keep: str | None = None) -> int:
    """End every session of `user_id` (but `keep`'s); returns how many ended. The caller commits."""
    statement = sa.delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep:
        statement = statement.where(LoginSession.id != _digest(keep))
    return db.session.execute(statement).rowcount


def renew_session(profile: Profile) -> None:
    """Give this browser a new session token (its old row ends), commit, and set the new cookie.

    A cookie copied before a password change then opens nothing; a remember-me cookie is renewed too.
    """
    profile = getattr(profile, "_get_current_object", lambda: profile)()  # current_user is a proxy
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    end_session(profile.session_token)
    start_session(profile)
    db.session.commit()
    login_user(profile, remember=remember)


def log_in(profile: Profile, remember: bool = False) -> None:
    """Start a session for `profile`, commit, and put its token in the browser's cookie."""
    start_session(profile)
    db.session.commit()
    login_user(profile, remember=remember)


def log_out(everywhere: bool = False) -> None:
    """End this browser's session (or all of the owner's), commit, and clear the cookie."""
    if current_user.is_authenticated:
        if everywhere:
            end_sessions(current_user.user_id)
        else:
            end_session(current_user.session_token)
        db.session.commit()
    logout_user()
