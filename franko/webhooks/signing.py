"""Webhook signatures, like Stripe's: `Franko-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

The timestamp is signed with the body so that a captured request cannot be replayed later; a
receiver checks the HMAC (in constant time) and that the timestamp is recent.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "Franko-Signature"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300  # seconds a signature stays acceptable


class SignatureError(ValueError):
    """The header is missing, malformed, too old, or signed with another secret or over another body."""


def new_secret() -> str:
    """A fresh signing secret, shown to the owner and kept with the instance."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def signature(body: str | bytes, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret."""
    message = str(timestamp).encode() + b"." + _as_bytes(body)
    return hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def sign(body: str | bytes, secret: str, timestamp: int | None = None) -> str:
    """The value of the Franko-Signature header for `body`, signed now (or at `timestamp`)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={signature(body, secret, t)}"


def verify(header: str | None, body: str | bytes, secret: str, tolerance: int = DEFAULT_TOLERANCE,
           now: float | None = None) -> int:
    """Check a Franko-Signature header against the raw body; returns its timestamp, raises SignatureError."""
    if not header:
        raise SignatureError("No Franko-Signature header.")
    timestamp, candidates = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("The Franko-Signature header needs t=<timestamp> and v1=<signature>.")
    expected = signature(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("The signature does not match the body and secret.")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError("The signature's timestamp is outside the tolerance.")
    return timestamp
