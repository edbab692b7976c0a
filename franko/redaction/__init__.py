"""Redaction (SPEC §14): per instance, emails, phone, card and bank numbers masked before text reaches the LLM, and optionally in exports."""
from flask import Blueprint, Flask

bp = Blueprint("redaction", __name__)


def init_app(app: Flask) -> None:
    """Register the redaction settings page (/instances/<id>/redaction)."""
    from franko.redaction import routes  # noqa: F401 — its routes attach to bp

    app.register_blueprint(bp)
