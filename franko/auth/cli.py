"""`flask franko …` commands of the auth feature."""
import click
from flask import current_app

from franko.auth.services import find_account, make_login_token
from franko.commands import franko_cli
from franko.urls import external_url


@franko_cli.command("login-link")
@click.argument("email_or_user_id")
@click.option("--base-url", default=None,
              help="The address owners reach Franko at (default: FRANKO_BASE_URL), e.g. https://franko.example.org")
def login_link(email_or_user_id: str, base_url: str | None) -> None:
    """Print a one-time login link (account claim or password reset) for an account."""
    profile = find_account(email_or_user_id)
    if profile is None:
        raise click.ClickException(f"No account has the email or user id {email_or_user_id!r}.")
    hours = current_app.config.get("FRANKO_LOGIN_LINK_MAX_AGE", 24 * 3600) / 3600
    click.echo(external_url("auth.login_link", base=base_url, token=make_login_token(profile)))
    click.echo(f"For {profile.email or profile.user_id}: valid for {hours:g} hours, until a password is set with it.",
               err=True)
