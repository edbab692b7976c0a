"""What the benchmarks share: a free port, waiting for a server, gunicorn serving the app, a form's CSRF token."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {seconds:g} s")


def franko_env(**extra: str) -> dict:
    """The environment of a production-like Franko process (no debug, a real key, rate limits out of the way)."""
    return {**os.environ, "FLASK_DEBUG": "0", "SECRET_KEY": "bench-secret", "FRANKO_INSECURE_COOKIES": "1",
            "FRANKO_BASE_URL": "http://127.0.0.1", "FRANKO_INTERVIEW_RATE_LIMIT": "1000000 per minute",
            "FRANKO_LOGIN_RATE_LIMIT": "1000000 per minute", **extra}


def start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    """`gunicorn app:app` with the project's gunicorn.conf.py, on `port`; returns once it answers."""
    server = subprocess.Popen([os.path.join(VENV_BIN, "gunicorn"), "app:app", "--bind", f"127.0.0.1:{port}"],
                              cwd=ROOT, env={**env, "GUNICORN_CMD_ARGS": "--log-level warning"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return server


def start_worker(env: dict, threads: int = 4) -> subprocess.Popen:
    """`flask franko worker`, the documented command, as its own process."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "franko", "worker", "--threads", str(threads)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
