"""`flask franko …` commands of the billing feature."""
from franko.cli import franko_cli  # noqa: F401
