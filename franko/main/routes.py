"""Landing page for visitors, dashboard home for owners."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_login import current_user

from franko.extensions import db
from franko.main import bp
from franko.models import ChatInstance, ChatResponse


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    url: str | None
    action: str


def first_run_steps(first_instance_id, has_responses: bool) -> list[Step]:
    """Describe the organisation → create an instance → share its link (done at the first response)."""
    # Nothing to share before an instance exists: that step then has no button.
    share_url = url_for("instances.show", instance_id=first_instance_id) if first_instance_id else None
    return [
        Step("Describe your organisation", bool(current_user.organisation_description_completed),
             url_for("profile.edit"), "Open the profile"),
        Step("Create a chat instance", first_instance_id is not None, url_for("instances.new"), "Create one"),
        Step("Share its link", has_responses, share_url, "Copy the link"),
    ]


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    recent = db.session.execute(
        sa.select(ChatResponse, ChatInstance)
        .join(ChatInstance, ChatResponse.chat_instance_id == ChatInstance.id)
        .where(ChatResponse.user_id == current_user.user_id)
        .order_by(ChatResponse.created_at.desc())
        .limit(5)
    ).all()
    first_instance_id = db.session.scalar(
        sa.select(ChatInstance.id).where(ChatInstance.user_id == current_user.user_id)
        .order_by(ChatInstance.created_at).limit(1)
    )
    steps = first_run_steps(first_instance_id, bool(recent))
    return render_template("main/home.html", profile=current_user, recent=recent, steps=steps,
                           show_checklist=not all(step.done for step in steps))


@bp.route("/healthz")
def healthz():
    """200 when the database answers (for the load balancer and uptime checks), 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: the database does not answer")
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}
