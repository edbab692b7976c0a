"""Security headers on every page: a CSP with no inline script, no framing, nosniff, a Referrer-Policy,
HSTS in production only; and no template holds an inline script or event handler."""
import pathlib
import re

import pytest

from franko import create_app
from franko.config import ProductionConfig

TEMPLATES = pathlib.Path(__file__).parents[2] / "franko" / "templates"


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/auth/login", "/auth/signup", "/auth/forgot", "/healthz", "/no-such-page",
                                 "/static/franko.js"])
def test_every_response_carries_the_headers(client, url):
    response = client.get(url)
    response.close()
    policy = csp(response)
    assert policy["script-src"] == "script-src 'self'"  # no 'unsafe-inline', no nonce: files only
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # development and tests: plain HTTP


def test_owner_pages_with_delete_buttons_cannot_be_framed(client, owner):
    response = client.get("/instances/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_production_sends_hsts(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = type("C", (ProductionConfig,), {"SECRET_KEY": "a-real-secret", "FRANKO_BASE_URL": "https://f.example.org",
                                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite",
                                             "SESSION_COOKIE_SECURE": True, "FRANKO_HSTS": True})
    app = create_app(config)
    response = app.test_client().get("/auth/login", base_url="https://f.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_no_template_has_inline_script_or_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0):
                offenders.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: {match.group(0).strip()}")
        if "javascript:" in text:
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []
