"""Webhook fixtures: a real HTTP receiver on 127.0.0.1 that records what it gets and answers as told."""
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import pytest

from franko.extensions import db
from franko.models import ChatInstance, WebhookDelivery
from franko.webhooks.services import set_url
from tests.servers import LocalServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


class Receiver:
    """A ThreadingHTTPServer on a random loopback port; `answers` are the statuses of the next requests (then 200)."""

    def __init__(self):
        self.requests: list[Received] = []
        self.answers: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                data = b"ok" if status < 300 else b"receiver says no"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep the test output quiet
                pass

        self._server = LocalServer(Handler)
        self.port = self._server.port
        self.url = f"{self._server.base}/hooks/franko"

    def stop(self):
        self._server.stop()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def hook_up(instance_id: uuid.UUID, url: str) -> str:
    """Give the instance a webhook URL (inside an app context, committed); returns its secret."""
    instance = db.session.get(ChatInstance, instance_id)
    set_url(instance, url)
    db.session.commit()  # services flush; their caller commits
    return instance.webhook_secret


def deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        rows = db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.created_at)).all()
        for row in rows:
            db.session.expunge(row)
        return rows
