"""The admins' view of the audit log (§14): every organisation's lines, newest first, filtered by action."""
from flask import current_app, render_template, request

from franko.admin import bp
from franko.admin.decorators import admin_required
from franko.audit import services
from franko.inputs import bounded_int


@bp.route("/audit")
@admin_required
def audit_log():
    action = request.args.get("action") or None
    page = services.lines(request.args.get("page", 1, type=bounded_int), services.per_page(current_app.config),
                          action=action)
    return render_template("audit/list.html", page=page, everyone=True, endpoint="admin.audit_log",
                           args={"action": action} if action else {}, action=action, actions=services.actions(),
                           title="Audit log (all organisations)")
