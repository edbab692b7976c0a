"""The webhook URL form (the other actions are bare POSTs carrying their CSRF token)."""
from flask_wtf import FlaskForm
from wtforms import SubmitField, URLField
from wtforms.validators import ValidationError

from franko.webhooks.services import WebhookError, check_url


class WebhookForm(FlaskForm):
    url = URLField("Webhook URL")
    submit = SubmitField("Save URL")

    def validate_url(self, field):
        try:
            check_url(field.data)
        except WebhookError as exc:
            raise ValidationError(str(exc)) from None
