"""The organisation profile form: the owner's names and login email, and the organisation."""
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField, TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional, URL, ValidationError

from franko.profile.services import email_taken

DESCRIPTION_MAX = 5000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ProfileForm(FlaskForm):
    first_name = StringField("First name", filters=[_strip], validators=[Optional(), Length(max=100)])
    second_name = StringField("Second name", filters=[_strip], validators=[Optional(), Length(max=100)])
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Email(), Length(max=254)])
    organisation_name = StringField("Organisation name", filters=[_strip], validators=[Optional(), Length(max=200)])
    organisation_url = URLField("Organisation website", filters=[_strip], validators=[
        Optional(), Length(max=2000), URL(message="Enter a full web address, like https://example.org.")])
    organisation_description = TextAreaField("What your organisation does", filters=[_strip], validators=[
        Optional(), Length(max=DESCRIPTION_MAX)])
    submit = SubmitField("Save profile")

    def __init__(self, *args, current_user_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._user_id = current_user_id

    def validate_email(self, field):
        if email_taken(field.data, self._user_id):
            raise ValidationError("Another account already uses this email.")

    def validate_organisation_url(self, field):
        if field.data and urlsplit(field.data).scheme.lower() not in ("http", "https"):
            raise ValidationError("Only http:// and https:// addresses are accepted.")
