"""Privacy and the data's life (§14): the notice and consent, retention, the interviewee's own data.

`init_app` registers the blueprint (the owner's settings, the interviewee's pages), the jobs (the
hourly retention run, the private link's email), the `flask franko retention` command, the
settings' defaults and the template helpers the existing pages include.
"""
import os

from flask import Blueprint, Flask

from franko.jobs import register_module

bp = Blueprint("privacy", __name__)

DEFAULTS = {
    "FRANKO_PRIVATE_LINK_MAX_AGE": ("int", 30 * 24 * 3600),  # seconds the interviewee's link works
    "FRANKO_PRIVATE_LINK_RATE_LIMIT": ("str", "30 per minute"),  # per client address, on the link's pages
    "FRANKO_RETENTION_BATCH": ("int", 200),  # responses deleted per transaction by the retention run
}


def init_app(app: Flask) -> None:
    """Register its blueprint, its jobs, its command, its settings' defaults and its template helpers on `app`."""
    # Imported here, not above: importing franko.privacy's services must not load its routes.
    from franko.privacy import cli, jobs, routes, templating  # noqa: F401 — cli adds its command to `flask franko`

    for name, (kind, default) in DEFAULTS.items():
        if name not in app.config:
            raw = os.environ.get(name)
            app.config[name] = default if raw in (None, "") else (int(raw) if kind == "int" else raw)
    register_module(app, jobs)
    app.register_blueprint(bp)
    templating.init_app(app)
