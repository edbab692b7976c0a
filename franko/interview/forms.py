"""The interviewee's forms: the intake before the chat, and one answer."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from franko.interview.services import MAX_ANSWER_CHARS


class IntakeForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired("Please tell us your first name."), Length(max=100)])
    second_name = StringField("Second name (optional)", validators=[Optional(), Length(max=100)])
    email = EmailField("Email (optional)", validators=[Optional(), Email("Please enter a valid email address."),
                                                       Length(max=254)])
    consent = BooleanField("I agree that my answers are stored and shared with the organisation running this interview.",
                           validators=[DataRequired("Please agree before starting the interview.")])
    submit = SubmitField("Start the interview")


class AnswerForm(FlaskForm):
    # Not required: an empty answer is ignored rather than refused.
    answer = TextAreaField("Your answer", validators=[
        Length(max=MAX_ANSWER_CHARS, message=f"Please keep an answer under {MAX_ANSWER_CHARS:,} characters."),
    ])
    # One key per answer, set when the form is drawn: a replayed post (a retry after a lost response)
    # carries the same key and is answered with what was stored, storing nothing.
    key = HiddenField(validators=[Optional(), Length(max=64), Regexp(r"^[A-Za-z0-9_-]+$")])
    submit = SubmitField("Send")
