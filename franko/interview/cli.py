"""`flask franko …` commands of the interview feature."""
from franko.cli import franko_cli  # noqa: F401
