"""The notification settings form: which emails about completed responses the owner wants."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from franko.models import NOTIFY_MODES
from franko.notifications.services import MODE_LABELS

CHOOSE = "Choose one of the three options."


class NotificationsForm(FlaskForm):
    # validate_choice off: AnyOf answers a forged value with the same clear message as a missing one.
    notify_mode = RadioField("Emails about completed responses", choices=[SelectChoice(mode, label) for mode, label in MODE_LABELS.items()],
                             validate_choice=False,
                             validators=[InputRequired(message=CHOOSE), AnyOf(NOTIFY_MODES, message=CHOOSE)])
    submit = SubmitField("Save notification settings")
