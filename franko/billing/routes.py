"""Views of the billing feature."""
from franko.billing import bp  # noqa: F401
