"""The owner's own data (SPEC §14): "Download everything" as an archive, and deleting the organisation."""
from flask import Blueprint, Flask

from franko.jobs import register_module

bp = Blueprint("ownerdata", __name__)


def init_app(app: Flask) -> None:
    """Register its blueprint (/profile/data, /admin/deletions) and its jobs (the archive, the hourly purge) on `app`."""
    # Imported here, not above: importing franko.ownerdata's services must not load its routes.
    from franko.ownerdata import jobs, models, routes  # noqa: F401 — models: their tables are in the schema

    register_module(app, jobs)
    app.register_blueprint(bp)
