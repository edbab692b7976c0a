"""The admin's forms on an organisation's page: grant credits, change the plan."""
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, ValidationError

from franko.plans import PlanName

DEFAULT_MAX_GRANT = 100_000


def max_grant() -> int:
    return int(current_app.config.get("FRANKO_ADMIN_MAX_GRANT", DEFAULT_MAX_GRANT))


class GrantCreditsForm(FlaskForm):
    amount = IntegerField("Responses to add", validators=[InputRequired("Enter a number of responses."),
                                                          NumberRange(min=1, message="Grant at least 1 response.")])
    submit = SubmitField("Grant credits")

    def validate_amount(self, field):
        if field.data is not None and field.data > max_grant():
            raise ValidationError(f"Grant at most {max_grant():,} responses at a time.")


class ChangePlanForm(FlaskForm):
    plan = SelectField("Plan", choices=[SelectChoice(name.value, name.value.capitalize()) for name in PlanName])
    new_period = BooleanField("Start a new period (nothing used, the full quota available)")
    submit = SubmitField("Change plan")
