"""Fixtures: every test gets its own database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""
import hashlib
import os
import shutil
import socket
import subprocess
import time

import jinja2
import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from franko import create_app
from franko.config import TestingConfig
from franko.extensions import db
from tests.databases import (BACKENDS, TEST_DATABASE_URL, SchemaTemplates, database_url_from_env,  # noqa: F401
                             new_database, pg_admin)
from tests.markers import pytest_collection_modifyitems, pytest_xdist_make_scheduler  # noqa: F401 (hooks)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """An empty database of the test's backend, dropped afterwards."""
    url, drop = new_database(backend, tmp_path)
    yield url
    drop()


@pytest.fixture(scope="session")
def schema_templates(tmp_path_factory):
    """The app's schema, built once per session (and xdist worker) and backend; dropped at the end."""
    templates = SchemaTemplates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.drop_all()


@pytest.fixture
def schema_database_url(backend, tmp_path, schema_templates):
    """A database of the test's backend holding the app's schema and no rows (see tests/databases.py)."""
    url, drop = schema_templates.copy(backend, tmp_path)
    yield url
    drop()


class BrowserClient(FlaskClient):
    """A test client that posts forms as a browser does: with the CSRF token its session holds.

    CSRF is on in every test. A form post gets the token unless it names one (`csrf_token` in the
    data, or an X-CSRFToken header) or the client is told not to (`auto_csrf = False`, for the
    tests that check a missing token is refused).
    """

    auto_csrf = True

    def csrf_token(self) -> str:
        """The token a page rendered for this client's session would carry (as Flask-WTF makes it)."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        app = self.application
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, **kwargs):
        data = kwargs.get("data")
        headers = kwargs.get("headers") or {}
        if self.auto_csrf and kwargs.get("method") == "POST" and "json" not in kwargs \
                and "X-CSRFToken" not in headers \
                and (data is None or (isinstance(data, dict) and "csrf_token" not in data)):
            kwargs["data"] = {**(data or {}), "csrf_token": self.csrf_token()}
        return super().open(*args, **kwargs)


class SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the whole session: each test's app would otherwise compile them anew.

    Jinja checks each entry against the template's source, so an edited template is compiled again.
    """

    def __init__(self):
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self._compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedBytecodeCache()


def make_app(url: str, **overrides):
    """A testing app on `url`; `overrides` change config values for one test."""
    config = type("Config", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})
    app = create_app(config)
    app.test_client_class = BrowserClient
    app.jinja_env.bytecode_cache = TEMPLATES
    return app


@pytest.fixture
def app_config():
    """Config overrides for the `app` fixture; a test module can override this fixture."""
    return {}


@pytest.fixture
def app(schema_database_url, app_config):
    """A testing app on its own database, which holds the schema and no rows."""
    app = make_app(schema_database_url, **app_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that use the models directly."""
    with app.app_context():
        yield


class AuthActions:
    """Sign up / log in / log out through the real forms."""

    def __init__(self, client):
        self._client = client

    def signup(self, email="owner@example.com", password="correct horse"):
        return self._client.post("/auth/signup", data={"email": email, "password": password, "confirm": password})

    def login(self, email="owner@example.com", password="correct horse"):
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")

    def verify(self, email="owner@example.com"):
        """Follow the last link emailed to `email` (the development outbox), as its owner would."""
        return self._client.get(email_link(self._client.application, email))


def email_link(app, to: str) -> str:
    """The path of the link in the last email to `to` in the development outbox."""
    import re

    with app.app_context():
        from franko.mail.services import outbox

        for message in reversed(outbox()):
            if message.to.lower() == to.lower():
                return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    raise AssertionError(f"no email to {to} in the outbox")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def owner(app, client):
    """A signed-up, logged-in owner on the free plan; returns its user_id.

    Made without the form (the auth tests sign up through it): the account as sign-up makes it,
    its verification email sent, and the client logged in as the login route does it.
    """
    from tests.factories import signed_up_owner

    return signed_up_owner(client, "owner@example.com", "correct horse")


@pytest.fixture
def stranger(app):
    """Another owner with one instance and one response; returns (instance_id, response_id)."""
    from tests.factories import make_instance, make_profile, make_response

    with app.app_context():
        profile = make_profile(email="stranger@example.com", plan="starter")
        instance = make_instance(profile, guide="# Their secret study\nWhat?")
        response = make_response(instance, first_name="Their interviewee")
        return instance.id, response.id


# --- browser tests: a live server in a thread, Debian's Chromium driven by Playwright ---------

class LiveServer:
    """The app served by werkzeug on a free local port, in a background thread."""

    def __init__(self, app):
        import threading

        from werkzeug.serving import make_server

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join()


@pytest.fixture
def live_server(tmp_path, app_config, schema_templates):
    """The app on its own SQLite file, served for a browser (CSRF on, as everywhere)."""
    url, _ = schema_templates.copy("sqlite", tmp_path)
    app = make_app(url, **app_config)
    server = LiveServer(app)
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; a screenshot of it is saved under tests/artifacts/ after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{request.node.name}.png"), full_page=True)
    context.close()


def browser_signup(page, base: str, email: str = "owner@example.com", password: str = "correct horse") -> None:
    """Sign up through the real form in the browser, landing on the home page."""
    page.goto(base + "/auth/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(base + "/")


def screenshot(page, name: str) -> str:
    """Save a named screenshot as a test artifact; returns its path."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


# --- real servers the tests start themselves: SMTP (aiosmtpd) and Redis -----------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPInbox:
    """What a local aiosmtpd server received: one dict (to, subject, body) per message."""

    def __init__(self):
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "from": envelope.mail_from,
                              "subject": message["Subject"], "body": message.get_content()})
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port; yields (port, inbox)."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


class RedisServer:
    """Debian's redis-server on a loopback port, no persistence; `stop()` and `start()` again make an outage."""

    def __init__(self, directory, port: int | None = None):
        self.port = port or free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server shared by the session's tests; its URL."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()
