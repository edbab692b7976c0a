"""Views of the responses feature."""
from franko.responses import bp  # noqa: F401
