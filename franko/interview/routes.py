"""Views of the interview feature."""
from franko.interview import bp  # noqa: F401
