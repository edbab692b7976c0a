"""The owner's audit log page: the lines about their own data (the admins' page, every line, is franko.admin.audit_log)."""
from flask import current_app, render_template, request
from flask_login import current_user, login_required

from franko.audit import bp, services
from franko.inputs import bounded_int


@bp.route("/profile/audit")
@login_required
def mine():
    page = services.lines(request.args.get("page", 1, type=bounded_int), services.per_page(current_app.config),
                          owner_id=current_user.user_id)
    return render_template("audit/list.html", page=page, everyone=False, endpoint="audit.mine", args={},
                           title="Audit log")
