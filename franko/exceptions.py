"""Domain errors: what a service raises instead of answering HTTP; the routes (and franko.errors) turn them into 404s or flashes."""


class DomainError(Exception):
    """Something a rule refused; the message, when there is one, is for the owner."""


class NotFound(DomainError):
    """The thing asked for does not exist: a 404 (franko.errors answers it)."""


class NotOwned(NotFound):
    """It exists but is another owner's: a 404 as well, so it looks exactly like a missing one."""


class AtCap(DomainError):
    """The plan's cap is reached: nothing was changed (the route says why and what to do)."""


class PrivacyError(DomainError):
    """A privacy setting or request refused (§14): a notice too long, a retention period out of range."""


class ResponseGone(NotFound):
    """The response a private link names was deleted (by its interviewee, its owner or retention)."""


class OwnerDataError(DomainError):
    """An owner's archive or organisation deletion that cannot be done now (§14): Stripe refused, nothing deleted."""


class OwnerDataLinkError(OwnerDataError):
    """An archive's or a deletion's link that is forged, expired, used up, or another account's."""
