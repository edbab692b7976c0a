"""`flask franko …`: the operator's command group. A leaf: each feature adds its commands (`<feature>/cli.py`) from its init_app."""
from flask.cli import AppGroup

franko_cli = AppGroup("franko", help="Franko's operator commands: backup, upgrade report, verify, demo data, …")
