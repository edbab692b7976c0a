"""The interviewee's private link: a signed, expiring token naming one response (itsdangerous, SECRET_KEY).

Unguessable (an HMAC of the response id and the time it was made), read only within
FRANKO_PRIVATE_LINK_MAX_AGE seconds; a changed character or another response's id fails the signature.
"""
import uuid

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "franko-interviewee-own-data"


class LinkInvalid(Exception):
    """The token is not one Franko made (tampered, truncated, made with another key)."""


class LinkExpired(LinkInvalid):
    """The token is genuine but older than its lifetime."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(response_id: uuid.UUID) -> str:
    return _serializer().dumps({"r": response_id.hex})


def response_id_of(token: str) -> uuid.UUID:
    """The response the token names; LinkExpired or LinkInvalid."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["FRANKO_PRIVATE_LINK_MAX_AGE"])
        return uuid.UUID(hex=data["r"])
    except SignatureExpired:
        raise LinkExpired("This link has expired.") from None
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise LinkInvalid("This link is not valid.") from None
