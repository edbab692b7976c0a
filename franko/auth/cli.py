"""`flask franko …` commands of the auth feature."""
from franko.cli import franko_cli  # noqa: F401
