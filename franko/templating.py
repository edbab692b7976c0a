"""Template filters and globals shared by every page."""
from datetime import datetime, timezone

from flask import Flask
from markupsafe import Markup

from franko import guide
from franko.admin.decorators import is_admin
from franko.insights.themes import theme_links
from franko.mail.services import outbox_enabled
from franko.plans import charge_explanation, usage


def init_app(app: Flask) -> None:
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_minutes, "minutes")
    app.add_template_global(usage, "usage")
    app.add_template_global(charge_explanation, "charge_explanation")
    app.add_template_global(theme_links, "theme_links")
    app.add_template_filter(guide.render, "markdown")  # safe HTML: no raw HTML, no javascript: links
    app.add_template_filter(guide.render_inline, "markdown_inline")
    app.context_processor(lambda: {"is_admin": is_admin(), "dev_outbox": outbox_enabled()})


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> Markup | str:
    """A UTC time as `<time>` with the zone shown ('05 Mar 2026, 14:02 UTC'); static/franko.js
    rewrites it in the reader's own time zone. An empty string for none."""
    if not value:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    style = "time" if fmt == "%H:%M" else "date" if "%H" not in fmt else "datetime"
    return Markup('<time datetime="{}Z" data-local="{}">{} UTC</time>').format(
        value.isoformat(timespec="seconds"), style, value.strftime(fmt))


def format_minutes(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value} min" if value < 60 else f"{value // 60} h {value % 60:02d} min"

