"""Real servers and processes for the fault tests: an SMTP server and a webhook receiver that can hold their answer,
`flask franko worker` and gunicorn processes, and an interviewee speaking HTTP to a real server."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

import requests

from tests.conftest import free_port
from tests.servers import LocalServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def wait_for(condition, seconds: float) -> bool:
    """Poll until `condition()` holds (a bounded wait for other processes, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


class HoldingSMTP:
    """aiosmtpd that, while `hold` is set, keeps each message waiting for its 250; `accepted` holds only those whose
    250 went back on a connection still open (a client that died before it has not had its message accepted)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.hold = threading.Event()
        self.arrived: list[str] = []
        self.accepted: list[dict] = []
        self.waiting = 0  # messages waiting for their 250 now
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.arrived.append(message["Subject"])
            self.waiting += 1
        try:
            while self.hold.is_set():
                await asyncio.sleep(0.05)  # cancelled if the client goes away (aiosmtpd cancels the handler)
        finally:
            with self.lock:
                self.waiting -= 1
        if server.transport is None or server.transport.is_closing():
            return "451 Client gone"
        with self.lock:
            self.accepted.append({"to": envelope.rcpt_tos, "subject": message["Subject"],
                                  "message_id": message["Message-ID"]})
        return "250 Message accepted for delivery"

    def stop(self):
        self.hold.clear()
        self.controller.stop()


class HoldingReceiver:
    """A webhook receiver that, while `hold` is set, keeps each request waiting for its answer (then 200)."""

    def __init__(self):
        self.hold = threading.Event()
        self.arrived: list[str] = []  # Franko-Delivery of each request
        self.answered: list[str] = []  # those answered 200 on a connection that took the answer
        self.waiting = 0  # requests waiting for their answer now
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                delivery = self.headers.get("Franko-Delivery")
                with receiver.lock:
                    receiver.arrived.append(delivery)
                    receiver.waiting += 1
                try:
                    while receiver.hold.is_set():
                        time.sleep(0.05)
                finally:
                    with receiver.lock:
                        receiver.waiting -= 1
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                    self.wfile.flush()
                except OSError:
                    return
                with receiver.lock:
                    receiver.answered.append(delivery)

            def log_message(self, *args):
                pass

        self.server = LocalServer(Handler)
        self.url = f"{self.server.base}/hooks/franko"

    def stop(self):
        self.hold.clear()
        self.server.stop()


class Process:
    """A real process of the app (a worker or gunicorn) with its output in a file."""

    def __init__(self, args: list[str], env: dict, log_path: str):
        self.log_path = log_path
        self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 — closed in wait()
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @classmethod
    def worker(cls, env: dict, log_path: str, threads: int = 4) -> Process:
        return cls([sys.executable, "-m", "flask", "--app", "app", "franko", "worker", "--threads", str(threads)],
                   env, log_path)

    @property
    def closed(self) -> bool:
        return self._log.closed

    def signal(self, number: int) -> None:
        self.popen.send_signal(number)

    def wait(self, seconds: float) -> int:
        try:
            return self.popen.wait(timeout=seconds)
        finally:
            if self.popen.poll() is None:
                self.popen.kill()
                self.popen.wait(timeout=10)
            self._log.close()

    def output(self) -> str:
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()


class HTTPInterviewee:
    """One browser speaking HTTP to a real server: the public pages, form by form, CSRF token included."""

    def __init__(self, base: str, instance_id):
        self.base = base
        self.http = requests.Session()
        self.start_path = f"/i/{instance_id}"
        self.chat_path: str | None = None

    def _token(self, path: str) -> str:
        return CSRF.search(self.http.get(self.base + path, timeout=30).text).group(1)

    def start(self, first_name: str) -> None:
        data = {"first_name": first_name, "second_name": "Tester", "email": f"{first_name.lower()}@example.com",
                "consent": "y", "csrf_token": self._token(self.start_path)}
        reply = self.http.post(self.base + self.start_path, data=data, allow_redirects=False, timeout=30)
        assert reply.status_code == 302, reply.text
        self.chat_path = reply.headers["Location"].split("#")[0].replace(self.base, "")

    def answer(self, text: str) -> int | None:
        """POST one answer; None when the server died before answering."""
        data = {"answer": text, "csrf_token": self._token(self.chat_path)}
        try:
            return self.http.post(self.base + self.chat_path, data=data, allow_redirects=False, timeout=30).status_code
        except requests.ConnectionError:
            return None

    def close(self):
        self.http.close()
