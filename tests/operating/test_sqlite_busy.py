"""`make run`'s pair on the embedded default: one `flask run` and one `flask franko worker` on one SQLite file.

While the worker is busy (summaries of many responses: a write every few milliseconds), interviewees
start and answer through the real server. Before the fix the start page's POST answered 503/500
"database is locked" (its transaction read first, then was refused the write at once, with no busy
wait); now the file is in WAL mode and a request that may write takes the write lock at BEGIN.
"""
import os
import signal
import sqlite3
import threading

import pytest
import requests

from franko.extensions import db
from franko.insights.jobs import queue_insights
from tests.conftest import free_port, make_app, new_database
from tests.factories import make_instance, make_profile, make_response
from tests.jobs.faults import CSRF, Process, wait_for

pytestmark = pytest.mark.slow
INTERVIEWEES, INTERVIEWS_EACH = 3, 8


def seed(url: str) -> str:
    """An owner's instance with 60 completed responses, each summary queued three times (a busy worker)."""
    app = make_app(url, FRANKO_QUEUE_IMMEDIATE=False)
    with app.app_context():
        db.create_all()
        owner = make_profile(email="owner@example.com", plan="pro", total_responses_available=100_000)
        instance = make_instance(owner, guide="# Study\n- What do you do?\n- What is hard about it?")
        for n in range(60):
            make_response(instance, first_name=f"R{n}")
        for _ in range(3):
            queue_insights(False)
        instance_id = str(instance.id)
        db.session.remove()
        db.engine.dispose()
    return instance_id


def interviews(base: str, instance_id: str, name: str, seen: list, lock: threading.Lock) -> None:
    for n in range(INTERVIEWS_EACH):
        http = requests.Session()
        http.trust_env = False
        start = f"{base}/i/{instance_id}"
        page = http.get(start, timeout=60)
        token = CSRF.search(page.text).group(1)
        reply = http.post(start, data={"csrf_token": token, "first_name": f"{name}{n}", "consent": "y"},
                          allow_redirects=False, timeout=60)
        codes = [("GET start", page.status_code), ("POST start", reply.status_code)]
        if reply.status_code == 302:
            chat = reply.headers["Location"].split("#")[0]
            chat = chat if chat.startswith("http") else base + chat
            for text in ("I bake bread for cafés.", "The flour price."):
                answer = http.post(chat, data={"answer": text}, timeout=60,
                                   headers={"Accept": "application/json", "X-CSRFToken": token})
                codes.append(("POST answer", answer.status_code))
        http.close()
        with lock:
            seen.extend(codes)


def test_a_busy_worker_costs_the_embedded_server_no_request(tmp_path):
    url, _ = new_database("sqlite", tmp_path)
    instance_id = seed(url)
    port = free_port()
    env = {**os.environ, "FLASK_DEBUG": "1", "DATABASE_URL": url, "FRANKO_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"),
           "FRANKO_INTERVIEW_RATE_LIMIT": "100000 per minute", "FRANKO_WORKER_POLL": "0.05"}
    for name in ("TEST_DATABASE_URL", "MAIL_SERVER", "REDIS_URL", "RATELIMIT_STORAGE_URI", "OPENAI_BASE_URL"):
        env.pop(name, None)
    import sys

    web = Process([sys.executable, "-m", "flask", "--app", "app", "run", "--no-reload", "--port", str(port)], env,
                  str(tmp_path / "web.log"))
    worker = Process.worker(env, str(tmp_path / "worker.log"))
    base = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            try:
                return requests.get(base + "/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        assert wait_for(up, 60), web.output()
        assert wait_for(lambda: ": done" in worker.output(), 60), worker.output()  # the worker is at it
        seen, lock = [], threading.Lock()
        threads = [threading.Thread(target=interviews, args=(base, instance_id, name, seen, lock))
                   for name in ("Ada", "Bea", "Cyd")[:INTERVIEWEES]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        ran_meanwhile = worker.output().count(": done")
    finally:
        worker.signal(signal.SIGINT)
        worker.wait(60)
        web.signal(signal.SIGTERM)
        web.wait(30)
    expected = {"GET start": 200, "POST start": 302, "POST answer": 200}
    wrong = [(what, code) for what, code in seen if code != expected[what]]
    assert wrong == [], (wrong, [line for line in web.output().splitlines() if "locked" in line][:5])
    assert len(seen) == INTERVIEWEES * INTERVIEWS_EACH * 4
    assert ran_meanwhile > 10 and "database is locked" not in worker.output()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:  # the file is in write-ahead-log mode
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
