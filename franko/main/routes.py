"""Landing page for visitors, dashboard home for owners."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, redirect, render_template, url_for
from flask_login import current_user

from franko.extensions import db
from franko.main import bp
from franko.billing.services import billing_configured
from franko.models import ChatInstance, ChatResponse
from franko.clock import utcnow
from franko.plans import usage


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


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own: the SVG icon every page links to."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


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
                           show_checklist=not all(step.done for step in steps), counts=response_counts(),
                           usage=usage(current_user), now=utcnow(), billing_configured=billing_configured())


def response_counts() -> dict[str, int]:
    """The owner's stored responses by status, and how many were charged, in one query."""
    rows = db.session.execute(
        sa.select(ChatResponse.status, sa.func.count(), sa.func.count(ChatResponse.charged_at))
        .where(ChatResponse.user_id == current_user.user_id).group_by(ChatResponse.status)
    ).all()
    counts = {status or "unknown": n for status, n, _ in rows}
    counts["total"] = sum(n for _, n, _ in rows)
    counts["charged"] = sum(c for _, _, c in rows)
    return counts


@bp.route("/healthz")
def healthz():
    """Which dependency answers (the database; Redis when configured), for load balancers and monitoring.

    503 only without the database, when no page can be served; Redis down is 200 "degraded" (the
    pages still work, rate limits count per process), so a load balancer keeps every server in.
    """
    checks = {"database": database_answers()}
    for name, url in redis_urls().items():
        checks[name] = redis_answers(url)
    down = [name for name, ok in checks.items() if not ok]
    status = "unavailable" if "database" in down else "degraded" if down else "ok"
    body = {"status": status, "down": down, **{name: "ok" if ok else "down" for name, ok in checks.items()}}
    return body, (503 if status == "unavailable" else 200)


def database_answers() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError as error:
        current_app.logger.warning("health check: the database does not answer: %s", error.orig or error)
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            db.session.remove()
        return False


def redis_urls() -> dict[str, str]:
    """The Redis servers Franko uses, by role: the rate limits' storage and the job queue, when configured."""
    urls = {}
    limits = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if limits.startswith(("redis://", "rediss://", "redis+unix://")):
        urls["redis"] = limits
    queue = current_app.config.get("REDIS_URL")
    if queue and queue != limits:
        urls["redis" if "redis" not in urls else "redis_queue"] = queue
    return urls


def redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError as error:
        current_app.logger.warning("health check: redis does not answer: %s", error)
        return False
    finally:
        client.close()
