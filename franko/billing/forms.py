"""Billing's forms: buttons that only carry a CSRF token and, for Checkout, the plan."""
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired


class CheckoutForm(FlaskForm):
    """Upgrade to a plan; the view checks that the plan is one that is sold."""

    plan = HiddenField(validators=[DataRequired()])


class PortalForm(FlaskForm):
    """Open Stripe's customer portal."""
