"""`flask franko …` commands of the auth feature."""
import click
from flask import current_app, url_for

from franko.auth.services import find_account, make_login_token
from franko.cli import franko_cli


def login_link_url(token: str, base_url: str) -> str:
    """The full URL of a login link on the site at `base_url` (no request to take the host from)."""
    base_url = base_url.rstrip("/")
    with current_app.test_request_context("/", base_url=base_url):
        return url_for("auth.login_link", token=token, _external=True)


@franko_cli.command("login-link")
@click.argument("email_or_user_id")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="The address owners reach Franko at, e.g. https://franko.example.org")
def login_link(email_or_user_id: str, base_url: str) -> None:
    """Print a one-time login link (account claim or password reset) for an account."""
    profile = find_account(email_or_user_id)
    if profile is None:
        raise click.ClickException(f"No account has the email or user id {email_or_user_id!r}.")
    hours = current_app.config.get("FRANKO_LOGIN_LINK_MAX_AGE", 24 * 3600) / 3600
    click.echo(login_link_url(make_login_token(profile), base_url))
    click.echo(f"For {profile.email or profile.user_id}: valid for {hours:g} hours, until a password is set with it.",
               err=True)
