"""Domain errors: what a service raises instead of answering HTTP; the routes (and franko.errors) turn them into 404s or flashes."""


class DomainError(Exception):
    """Something a rule refused; the message, when there is one, is for the owner."""


class NotFound(DomainError):
    """The thing asked for does not exist: a 404 (franko.errors answers it)."""


class NotOwned(NotFound):
    """It exists but is another owner's: a 404 as well, so it looks exactly like a missing one."""


class AtCap(DomainError):
    """The plan's cap is reached: nothing was changed (the route says why and what to do)."""
