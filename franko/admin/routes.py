"""Views of the admin feature."""
from franko.admin import bp  # noqa: F401
