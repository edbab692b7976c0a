"""`flask franko reset-monthly-usage` (cron) and `flask franko set-plan`."""
import click
import sqlalchemy as sa

from franko import audit
from franko.commands import franko_cli
from franko.extensions import db
from franko.models import Profile
from franko.plans import PLAN_NAMES, Change, PlanName, change_plan, start_new_period


def reset_free_accounts() -> int:
    """A new period for every free account, in one UPDATE; returns how many accounts.

    Paid accounts are reset by Stripe's `invoice.paid` instead.
    """
    count = start_new_period(Profile.membership == PlanName.FREE.value)
    db.session.commit()
    return count


def find_account(email_or_user_id: str) -> Profile | None:
    """The profile with this user_id, else with this email (case-insensitively), row-locked until the commit."""
    profile = db.session.get(Profile, email_or_user_id, with_for_update=True)
    if profile is None:
        profile = db.session.scalar(
            sa.select(Profile).where(sa.func.lower(Profile.email) == email_or_user_id.strip().lower())
            .with_for_update()
        )
    return profile


@franko_cli.command("reset-monthly-usage")
def reset_monthly_usage() -> None:
    """Start a new period for every free account (run monthly from cron)."""
    count = reset_free_accounts()
    click.echo(f"New period started for {count} free account(s).")


@franko_cli.command("set-plan")
@click.argument("email_or_user_id")
@click.argument("plan", type=click.Choice([name.value for name in PLAN_NAMES]))
@click.option("--new-period", is_flag=True, help="Also start a new period (nothing used, the full quota available).")
def set_plan(email_or_user_id: str, plan: str, new_period: bool) -> None:
    """Put an account on PLAN (free, starter or pro)."""
    profile = find_account(email_or_user_id)
    if profile is None:
        raise click.ClickException(f"No account with user id or email {email_or_user_id!r}.")
    before = profile.membership
    outcome = change_plan(profile.user_id, plan, new_period=new_period)
    if outcome is Change.CHANGED:
        audit.plan_changed(profile.user_id, plan, via="cli", new_period=new_period)
    db.session.commit()
    db.session.refresh(profile)
    if outcome is Change.UNCHANGED:
        click.echo(f"{profile.email or profile.user_id} is already on the {plan} plan: nothing changed.")
        return
    click.echo(
        f"{profile.email or profile.user_id}: {before} -> {profile.membership}; "
        f"{profile.total_responses_available} of {profile.monthly_responses_quota} responses available, "
        f"{profile.total_chat_instances_available} chat instances."
    )
