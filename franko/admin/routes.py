"""Admin views: every organisation's usage, its chart and CSV, one organisation's credits and plan."""
import csv
import io

from flask import Response, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from franko.admin import bp, chart, services
from franko.admin.decorators import admin_required
from franko.admin.forms import ChangePlanForm, GrantCreditsForm
from franko.extensions import db
from franko.inputs import bounded_int
from franko.models import Profile
from franko.clock import utcnow
from franko.plans import Change, usage

DEFAULT_PER_PAGE = 50


@bp.route("/")
@admin_required
def index():
    query = services.UsageQuery.from_args(request.args)
    page = services.usage_page(query, request.args.get("page", 1, type=bounded_int),
                               current_app.config.get("FRANKO_ADMIN_PER_PAGE", DEFAULT_PER_PAGE))
    return render_template("admin/index.html", query=query, page=page, title="Usage")


@bp.route("/chart/responses-per-day.svg")
@admin_required
def responses_chart():
    svg = chart.responses_chart_svg(chart.responses_per_day())
    response = Response(svg, mimetype="image/svg+xml")
    # Past days do not change: a browser may keep the chart a few minutes.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/usage.csv")
@admin_required
def usage_csv():
    query = services.UsageQuery.from_args(request.args)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in services.usage_csv_rows(query):
            writer.writerow(row)
            if buffer.tell() > 16_384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    filename = f"franko-usage-{utcnow():%Y%m%d}.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/orgs/<user_id>")
@admin_required
def organisation(user_id: str):
    profile = db.get_or_404(Profile, user_id)
    plan_form = ChangePlanForm(plan=profile.membership)
    return _render_organisation(profile, GrantCreditsForm(), plan_form)


@bp.route("/orgs/<user_id>/credits", methods=["POST"])
@admin_required
def grant_credits(user_id: str):
    profile = db.get_or_404(Profile, user_id)
    form = GrantCreditsForm()
    if not form.validate_on_submit():
        return _render_organisation(profile, form, ChangePlanForm(plan=profile.membership), status=400)
    after = services.grant_credits(user_id, form.amount.data, admin=current_user.email,
                                   actor_id=current_user.user_id)
    db.session.commit()
    flash(f"Granted {form.amount.data:,} responses: {after:,} now available.", "success")
    return redirect(url_for("admin.organisation", user_id=user_id))


@bp.route("/orgs/<user_id>/plan", methods=["POST"])
@admin_required
def change_plan(user_id: str):
    profile = db.get_or_404(Profile, user_id)
    form = ChangePlanForm()
    if not form.validate_on_submit():
        return _render_organisation(profile, GrantCreditsForm(), form, status=400)
    outcome = services.change_plan(user_id, form.plan.data, form.new_period.data, admin=current_user.email,
                                     actor_id=current_user.user_id)
    db.session.commit()
    if outcome is Change.UNCHANGED:
        flash(f"Already on the {form.plan.data} plan: nothing changed.", "info")
    else:
        flash(f"Plan changed to {form.plan.data}.", "success")
    return redirect(url_for("admin.organisation", user_id=user_id))


def _render_organisation(profile: Profile, credits_form, plan_form, status: int = 200):
    return render_template(
        "admin/organisation.html", profile=profile, credits_form=credits_form, plan_form=plan_form,
        counts=services.organisation_counts(profile.user_id), usage=usage(profile),
        title=profile.organisation_name or profile.email or profile.user_id,
    ), status

