"""The billing page, Stripe Checkout and portal redirects, and the Stripe webhook."""
import stripe
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from franko.billing import bp, services, webhook
from franko.billing.forms import CheckoutForm, PortalForm
from franko.extensions import csrf, db
from franko.plans import all_plans

RETURN_MESSAGES = {
    "success": ("Thank you! Your plan changes as soon as Stripe confirms the payment.", "success"),
    "cancelled": ("Checkout was cancelled; your plan is unchanged.", "info"),
}


@bp.route("/")
@login_required
def index():
    message = RETURN_MESSAGES.get(request.args.get("checkout", ""))
    if message:
        flash(*message)
        return redirect(url_for("billing.index"))
    return render_template(
        "billing/index.html",
        profile=current_user,
        plans=all_plans(),
        configured=services.billing_configured(),
        paid=services.has_paid_subscription(current_user),
    )


@bp.route("/checkout", methods=["POST"])
@login_required
def checkout():
    form = CheckoutForm()
    if not form.validate_on_submit():
        abort(400)
    plan = next((p for p in services.sold_plans() if p.name == form.plan.data), None)
    if plan is None:
        abort(400)
    if not services.billing_configured():
        flash("Billing is not configured on this server.", "warning")
        return redirect(url_for("billing.index"), 303)
    if services.has_paid_subscription(current_user):
        flash("You already have a subscription: change your plan with “Manage billing”.", "info")
        return redirect(url_for("billing.index"), 303)
    return _redirect_to_stripe(lambda: services.create_checkout_session(current_user, plan))


@bp.route("/portal", methods=["POST"])
@login_required
def portal():
    if not PortalForm().validate_on_submit():
        abort(400)
    if not services.billing_configured():
        flash("Billing is not configured on this server.", "warning")
        return redirect(url_for("billing.index"), 303)
    if not current_user.stripe_customer_id:
        flash("There is no billing account yet: choose a plan first.", "info")
        return redirect(url_for("billing.index"), 303)
    return _redirect_to_stripe(lambda: services.create_portal_session(current_user))


def _redirect_to_stripe(create_session):
    """303 to the Stripe session's URL; a Stripe failure sends the user back with a message."""
    try:
        url = create_session()
    except stripe.StripeError:
        current_app.logger.exception("Stripe session for %s failed", current_user.user_id)
        flash("Stripe could not be reached. Please try again in a moment.", "danger")
        return redirect(url_for("billing.index"), 303)
    return redirect(url, 303)


@bp.route("/webhook", methods=["POST"])
@csrf.exempt  # Stripe signs its requests instead: verified below
def stripe_webhook():
    try:
        event = webhook.verify(request.get_data(), request.headers.get("Stripe-Signature"))
    except webhook.WebhookRefused as error:
        current_app.logger.warning("Stripe webhook refused: %s", error)
        db.session.rollback()
        return {"error": "invalid payload or signature"}, 400
    try:
        outcome = webhook.process_event(event)
    except webhook.RetryLater as error:
        current_app.logger.info("Stripe event %s (%s) deferred: %s", event["id"], event["type"], error)
        return {"received": False, "retry": True}, 503
    return {"received": True, "outcome": outcome}, 200
