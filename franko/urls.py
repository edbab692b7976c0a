"""Absolute links for emails and the CLI, built on FRANKO_BASE_URL, never on a request's Host header."""
from flask import current_app, has_request_context, request, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """FRANKO_BASE_URL; in development and tests without it, the request's own address (or port 5000)."""
    configured = current_app.config.get("FRANKO_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEVELOPMENT_BASE_URL


def external_url(endpoint: str, base: str | None = None, **values) -> str:
    """The full URL of `endpoint` on the site at `base` or base_url() (production refuses to start without one)."""
    with current_app.test_request_context("/", base_url=(base or base_url()).rstrip("/")):
        return url_for(endpoint, _external=True, **values)
