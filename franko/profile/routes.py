"""Views of the profile feature."""
from franko.profile import bp  # noqa: F401
