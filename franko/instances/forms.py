"""The interview-guide form, used to create an instance and to edit its guide."""
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from franko.guide import parse_guide
from franko.instances.services import GUIDE_MAX_LENGTH


class GuideForm(FlaskForm):
    interview_guide = TextAreaField("Interview guide", validators=[Length(max=GUIDE_MAX_LENGTH)])
    preview = SubmitField("Preview questions")
    submit = SubmitField("Save")

    def validate_interview_guide(self, field):
        # An instance needs at least one question for the agent to ask.
        if not parse_guide(field.data).questions:
            raise ValidationError("Add at least one question: a Markdown list item (“- …”), or one per line.")


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token, for confirmations such as delete."""

    submit = SubmitField("Delete")
