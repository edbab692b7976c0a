"""The interview-guide form, used to create an instance and to edit its guide."""
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from franko.instances.services import GUIDE_MAX_LENGTH, parse_guide


class GuideForm(FlaskForm):
    interview_guide = TextAreaField("Interview guide", validators=[Length(max=GUIDE_MAX_LENGTH)])
    preview = SubmitField("Preview questions")
    submit = SubmitField("Save")

    def validate_interview_guide(self, field):
        # The agent needs at least one question to ask: an empty guide is refused (and takes no slot).
        if not parse_guide(field.data):
            raise ValidationError("Add at least one question: one per line, or as a Markdown list.")


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token, for confirmations such as delete."""

    submit = SubmitField("Delete")
