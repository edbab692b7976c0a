"""The audit log's pages: an owner reads the lines about their own data, admins read every line."""
from flask import current_app, render_template, request
from flask_login import current_user, login_required

from franko.admin.decorators import admin_required
from franko.audit import bp, services
from franko.inputs import bounded_int

DEFAULT_PER_PAGE = 50


def per_page() -> int:
    return current_app.config.get("FRANKO_AUDIT_PER_PAGE", DEFAULT_PER_PAGE)


@bp.route("/profile/audit")
@login_required
def mine():
    page = services.lines(request.args.get("page", 1, type=bounded_int), per_page(), owner_id=current_user.user_id)
    return render_template("audit/list.html", page=page, everyone=False, endpoint="audit.mine", args={},
                           title="Audit log")


@bp.route("/admin/audit")
@admin_required
def everyone():
    action = request.args.get("action") or None
    page = services.lines(request.args.get("page", 1, type=bounded_int), per_page(), action=action)
    return render_template("audit/list.html", page=page, everyone=True, endpoint="audit.everyone",
                           args={"action": action} if action else {}, action=action, actions=services.actions(),
                           title="Audit log (all organisations)")
