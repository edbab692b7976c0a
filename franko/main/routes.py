"""Landing page for visitors, dashboard home for owners."""
import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse
from franko.main import bp


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
    return render_template("main/home.html", profile=current_user, recent=recent)
