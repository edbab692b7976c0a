"""`flask franko …`: the operator's commands. Each feature adds its own in `<feature>/cli.py`."""
from flask.cli import AppGroup

franko_cli = AppGroup("franko", help="Franko's operator commands: backup, upgrade report, verify, demo data, …")

# Importing a module registers its commands on franko_cli.
from franko.cli import database, demo  # noqa: E402,F401
from franko.auth import cli as auth_cli  # noqa: E402,F401
from franko.billing import cli as billing_cli  # noqa: E402,F401
from franko.insights import cli as insights_cli  # noqa: E402,F401
from franko.interview import cli as interview_cli  # noqa: E402,F401
from franko.jobs import cli as jobs_cli  # noqa: E402,F401
from franko.notifications import cli as notifications_cli  # noqa: E402,F401
