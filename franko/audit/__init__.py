"""The audit log (§14): exports, downloads, deletions, plan changes and admin grants, with who, when and what.

`franko.audit.record(action, actor_id=…, owner_id=…, subject=…, detail=…)` adds a line to the
caller's transaction; owners read theirs at /profile/audit, admins every line at /admin/audit
(franko.admin.audit_log: the admin feature imports the audit log, never the reverse).
"""
from flask import Blueprint, Flask

bp = Blueprint("audit", __name__)

from franko.audit.services import AuditError, plan_changed, record  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register the model (imported here for the schema) and the pages."""
    from franko.audit import models, routes  # noqa: F401

    app.register_blueprint(bp)
