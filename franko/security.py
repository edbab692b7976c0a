"""Security headers on every response (Flask-Talisman): the CSP, framing, sniffing, referrer, HSTS."""
from flask import Flask

from franko.extensions import talisman

# No inline script anywhere: every script is a file under static/. Inline *style* attributes stay
# allowed (progress bars take their width from the data); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],  # Bootstrap draws its icons as data: SVG
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}
HSTS_MAX_AGE = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """HSTS only where the config says the site is served over HTTPS (production); TLS is the proxy's job."""
    talisman.init_app(
        app,
        force_https=False,
        strict_transport_security=app.config.get("FRANKO_HSTS", False),
        strict_transport_security_max_age=HSTS_MAX_AGE,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",  # a token in a URL never reaches another site; CSRF still sees the Referer,
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_http_only=True,
        x_content_type_options=True,
    )
