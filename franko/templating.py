"""Template filters and globals shared by every page."""
from datetime import datetime

from flask import Flask, current_app
from flask_login import current_user

from franko import guide
from franko.mail.services import outbox_enabled


def init_app(app: Flask) -> None:
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_minutes, "minutes")
    app.add_template_filter(guide.render, "markdown")  # safe HTML: no raw HTML, no javascript: links
    app.add_template_filter(guide.render_inline, "markdown_inline")
    app.context_processor(lambda: {"is_admin": is_admin(), "dev_outbox": outbox_enabled()})


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """UTC timestamps as '05 Mar 2026, 14:02', an empty string for none."""
    return value.strftime(fmt) if value else ""


def format_minutes(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value} min" if value < 60 else f"{value // 60} h {value % 60:02d} min"


def is_admin() -> bool:
    """Whether the logged-in user's email is one of FRANKO_ADMIN_EMAILS *and verified* (§6): typing an
    admin's address into sign-up or the profile grants nothing until the link sent there is followed."""
    if not current_user.is_authenticated or not current_user.email or not current_user.email_verified:
        return False
    return current_user.email.lower() in current_app.config["FRANKO_ADMIN_EMAILS"]
