"""Sign-up and log-in forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from franko.auth.services import find_by_email


class SignupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")])
    submit = SubmitField("Create account")

    def validate_email(self, field):
        if find_by_email(field.data):
            raise ValidationError("An account with this email already exists. Log in instead.")


class LoginForm(FlaskForm):
    # No format check here: logging in only looks the address up, and legacy accounts may hold
    # addresses today's validator refuses (e.g. an internal `.local` domain).
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    remember = BooleanField("Remember me")
    submit = SubmitField("Log in")


class SetPasswordForm(FlaskForm):
    """A new password, chosen through a one-time login link."""

    password = PasswordField("New password", validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), EqualTo("password", "The passwords differ.")])
    submit = SubmitField("Set password and log in")


class ChangePasswordForm(FlaskForm):
    """A logged-in owner changes their password; the current one proves it is them."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=128)])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField("Repeat new password",
                            validators=[DataRequired(), EqualTo("password", "The passwords differ.")])
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    """The address a password-reset link is sent to."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Email me a link")
