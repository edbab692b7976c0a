"""The owner's privacy settings of an instance, and the interviewee's confirmation before deleting."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from franko.privacy.services import MAX_NOTICE_CHARS, MAX_RETENTION_DAYS


class PrivacySettingsForm(FlaskForm):
    notice = TextAreaField("Privacy notice (Markdown)", validators=[
        Optional(), Length(max=MAX_NOTICE_CHARS, message=f"Please keep the notice under {MAX_NOTICE_CHARS:,} characters.")])
    retention_days = IntegerField("Delete responses after (days)", validators=[
        Optional(), NumberRange(1, MAX_RETENTION_DAYS, f"Enter a number of days from 1 to {MAX_RETENTION_DAYS:,}, "
                                                       "or leave it empty to keep responses.")])
    submit = SubmitField("Save privacy settings")


class DeleteMineForm(FlaskForm):
    confirm = BooleanField("I understand that my answers are deleted for good and cannot be recovered.",
                           validators=[DataRequired("Please tick the box to confirm.")])
    submit = SubmitField("Delete my interview")
