"""The interviewee's proof of owning a response: a signed token in a cookie scoped to the instance.

The response id alone is not enough to read or continue an interview; the browser that started it
holds a token signed with SECRET_KEY that names both the instance and the response.
"""
import uuid

from flask import Response, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "franko-interview-response"
MAX_AGE = 30 * 24 * 3600  # the cookie outlives a browser restart: an interviewee may come back later


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def cookie_name(instance_id: uuid.UUID) -> str:
    return f"franko_interview_{instance_id.hex}"


def make_token(instance_id: uuid.UUID, response_id: uuid.UUID) -> str:
    return _serializer().dumps({"i": instance_id.hex, "r": response_id.hex})


def response_id_from_token(instance_id: uuid.UUID, token: str | None) -> uuid.UUID | None:
    """The response the token was issued for, if it is genuine and issued for this instance."""
    if not token:
        return None
    try:
        data = _serializer().loads(token)
        if data.get("i") != instance_id.hex:
            return None
        return uuid.UUID(hex=data["r"])
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


def current_response_id(instance_id: uuid.UUID) -> uuid.UUID | None:
    """The response this browser holds a token for at this instance."""
    return response_id_from_token(instance_id, request.cookies.get(cookie_name(instance_id)))


def holds(instance_id: uuid.UUID, response_id: uuid.UUID) -> bool:
    """Whether this browser's token is for exactly this response (a token for another one is refused)."""
    return current_response_id(instance_id) == response_id


def set_token(response: Response, instance_id: uuid.UUID, response_id: uuid.UUID) -> None:
    response.set_cookie(
        cookie_name(instance_id), make_token(instance_id, response_id), max_age=MAX_AGE,
        path=url_for("interview.start", instance_id=instance_id), httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
