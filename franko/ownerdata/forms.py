"""The confirmation of an organisation's deletion (the other actions are bare POSTs carrying their CSRF token)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class ConfirmDeletionForm(FlaskForm):
    understood = BooleanField("I understand that my account, every instance, every interview and everything derived "
                              "from them are deleted for good, and my subscription is cancelled.",
                              validators=[DataRequired(message="Tick the box to confirm.")])
    submit = SubmitField("Delete the organisation for good")
