"""Views of the instances feature."""
from franko.instances import bp  # noqa: F401
