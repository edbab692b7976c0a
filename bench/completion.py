"""Benchmark: what completing an interview costs its request, with notifications and webhooks on.

The completing answer's request only queues the work (summary, themes, the owner's email, the
webhook); the worker does it. This measures that request through `gunicorn app:app` twice, in
alternating rounds: with the queue discarding every job (FRANKO_QUEUE_DISCARD=1, the baseline: no
queue at all) and with the real queue (a row in the app's database, written by the completion's own
commit) while `flask franko worker` does the work next to it. Goal: the real queue adds at most 5 ms
(median).
Run by hand, never by pytest:

    .venv/bin/python bench/completion.py [--interviews 60] [--rounds 4] [--threads 4] [--database-url postgresql://…]

Everything runs on loopback: a temporary SQLite database, a local webhook receiver; bounded counts.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bench.common import csrf_token, franko_env, free_port, start_gunicorn, start_worker  # noqa: E402

ANSWER = "We bake bread for forty cafés in Leeds and deliver every morning before seven."
GUIDE = "# Bench\n- What do you bake?\n- What is the hardest part?\n- What would help you most?"
received = {"count": 0}
start_errors = [0]


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        received["count"] += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def seed(database_url: str, hook_url: str) -> uuid.UUID:
    """An owner who wants an email per response, with a webhook on its one instance and credit for every interview."""
    os.environ["DATABASE_URL"] = database_url
    from franko import create_app
    from franko.config import DevelopmentConfig
    from franko.extensions import db
    from franko.models import utcnow
    from tests.factories import make_instance, make_profile

    app = create_app(type("BenchSetup", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, "DEBUG": True,
                                                               "FRANKO_QUEUE_DISCARD": True}))
    with app.app_context():
        db.create_all()
        owner = make_profile(email="bench@example.com", plan="pro")
        owner.total_responses_available = 10_000_000
        owner.email_verified_at = utcnow()
        owner.notify_mode = "each"
        instance = make_instance(owner, guide=GUIDE)
        instance.webhook_url = hook_url
        instance.webhook_secret = "whsec_bench"
        db.session.commit()
        instance_id = instance.id
        db.engine.dispose()
    return instance_id


def one_interview(base: str, instance_id: uuid.UUID) -> float:
    """Intake and two answers (not measured), then the completing answer: its request's seconds."""
    http = requests.Session()
    start = f"{base}/i/{instance_id}"
    token = csrf_token(http.get(start, timeout=30).text)
    for _ in range(5):  # not timed: a 500 here (SQLite refusing the start's read-then-write while another commits) is retried
        reply = http.post(start, data={"csrf_token": token, "first_name": "Bench", "consent": "y"},
                          allow_redirects=False, timeout=30)
        if reply.status_code != 500:
            break
        start_errors[0] += 1
        time.sleep(0.5)
    assert reply.status_code == 302, (reply.status_code, reply.text[:300])
    chat = base + reply.headers["Location"].split("#")[0]
    headers = {"Accept": "application/json", "X-CSRFToken": token}
    for _ in range(2):
        assert http.post(chat, data={"answer": ANSWER}, headers=headers, timeout=30).json()["finished"] is False
    began = time.perf_counter()
    last = http.post(chat, data={"answer": ANSWER}, headers=headers, timeout=30)
    elapsed = time.perf_counter() - began
    assert last.status_code == 200 and last.json()["finished"] is True, last.text
    return elapsed


def run_round(base: str, instance_id: uuid.UUID, interviews: int, threads: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    left = [interviews]

    def person():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            elapsed = one_interview(base, instance_id)
            with lock:
                times.append(elapsed)

    workers = [threading.Thread(target=person) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=60, help="completed interviews per round and mode")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="interviewees at once")
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database (postgresql://…) instead of a temporary SQLite file")
    args = parser.parse_args()

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    directory = tempfile.mkdtemp(prefix="franko-bench-")
    database_url = args.database_url or f"sqlite:///{directory}/bench.sqlite"
    instance_id = seed(database_url, f"http://127.0.0.1:{receiver.server_port}/hook")
    queue: dict[str, str] = {}  # the jobs table of the app's database
    common = {"DATABASE_URL": database_url, "FRANKO_WEBHOOK_ALLOW_PRIVATE": "1"}
    # "queued": the jobs wait (the worker runs between rounds), so the request's own cost is measured;
    # "queued, worker busy": the worker does the work at the same time, on the same two cores.
    baseline, queued, busy = "no queue (baseline)", "queued", "queued, worker busy"
    modes = {baseline: franko_env(FRANKO_QUEUE_DISCARD="1", **common), queued: franko_env(**common, **queue),
             busy: franko_env(**common, **queue)}
    results: dict[str, list[float]] = {name: [] for name in modes}
    try:
        for n in range(args.rounds):
            order = list(modes)[n % 3:] + list(modes)[:n % 3]  # each mode goes first in turn: no order effect
            for name in order:
                env = modes[name]
                port = free_port()
                server = start_gunicorn(port, env)
                worker = start_worker(env) if name == busy else None
                try:
                    run_round(f"http://127.0.0.1:{port}", instance_id, args.threads * 2, args.threads)  # warm-up
                    results[name] += run_round(f"http://127.0.0.1:{port}", instance_id, args.interviews, args.threads)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                if name == queued:  # work off what was queued before the next round
                    worker = start_worker(env)
                    time.sleep(15)
                if worker is not None:
                    worker.terminate()
                    worker.wait(timeout=30)
            print(f"round {n + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        receiver.shutdown()
    print(f"{'mode':24} {'n':>5} {'median ms':>10} {'p90 ms':>8}")
    for name, times in results.items():
        times.sort()
        print(f"{name:24} {len(times):5d} {statistics.median(times) * 1000:10.1f} {times[int(0.9 * len(times))] * 1000:8.1f}")
    for name in (queued, busy):
        added = (statistics.median(results[name]) - statistics.median(results[baseline])) * 1000
        print(f"{name}: completing an interview adds {added:+.1f} ms (median) to its request")
    print(f"webhook requests received: {received['count']}; start pages answered 500 and retried: {start_errors[0]}")


if __name__ == "__main__":
    main()
