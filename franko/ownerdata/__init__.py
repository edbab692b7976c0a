"""The owner's own data (SPEC §14): "Download everything" as an archive, and deleting the organisation."""
from flask import Blueprint, Flask

bp = Blueprint("ownerdata", __name__)


def init_app(app: Flask) -> None:
    """Register the pages (/profile/data, /admin/deletions), the models and the jobs."""
    from franko.ownerdata import jobs, models, routes  # noqa: F401 — importing registers the models, jobs, routes

    app.register_blueprint(bp)
