"""Benchmark: 100 completions while the worker is SIGKILLed every 2 s; what reaches the SMTP server and the receiver.

`gunicorn app:app` serves the interviews (an owner with an email per response and a webhook);
a supervisor here starts `flask franko worker`, SIGKILLs it `--kill-every` seconds after it is
ready (its first log line: a Python process needs 1-3 s to start on two busy cores, so a kill every
2 s of wall clock would kill workers that never ran), and starts the next at once, for as long as
anything is owed. Reported: emails accepted per completion (exactly one
is the goal), completions with at least one 2xx webhook (all of them), duplicates, and the time
from the completing request's answer to the email's 250 and to the first 2xx, median and p95.
Run by hand, never by pytest (loopback only, bounded):

    .venv/bin/python bench/outbox_kill.py [--interviews 100] [--kill-every 2] [--lease 30] [--database-url postgresql://…]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bench.common import ROOT, csrf_token, franko_env, free_port, wait_for_port  # noqa: E402
from bench.completion import ANSWER, seed  # noqa: E402

lock = threading.Lock()
completed_at: dict[str, float] = {}  # response id -> when its completing request answered
emails: dict[str, list[float]] = {}  # interviewee name -> when each copy was accepted
hooks: dict[str, list[float]] = {}  # response id -> when each POST was answered 2xx
names: dict[str, str] = {}  # interviewee name -> response id
web_errors = [0]  # 500s answered by gunicorn (each retried)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.send_response(204)
        self.end_headers()
        with lock:
            hooks.setdefault(body["data"]["response_id"], []).append(time.monotonic())

    def log_message(self, *args):
        pass


class Inbox:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        subject = envelope.content.decode("utf-8", "replace").split("Subject: New response: ", 1)[-1]
        with lock:
            emails.setdefault(subject.split(" ", 1)[0], []).append(time.monotonic())
        return "250 Message accepted for delivery"


def post(http: requests.Session, url: str, **kwargs) -> requests.Response:
    """POST as a person would: a 500 (SQLite busy under the web's own read-then-write) is counted and tried again."""
    for _ in range(5):
        reply = http.post(url, timeout=30, **kwargs)
        if reply.status_code != 500:
            return reply
        with lock:
            web_errors[0] += 1
        time.sleep(0.5)
    return reply


def one_interview(base: str, instance_id, name: str) -> None:
    http = requests.Session()
    start = f"{base}/i/{instance_id}"
    token = csrf_token(http.get(start, timeout=30).text)
    reply = post(http, start, data={"csrf_token": token, "first_name": name, "consent": "y"}, allow_redirects=False)
    assert reply.status_code == 302, reply.text[:300]
    chat = base + reply.headers["Location"].split("#")[0]
    headers = {"Accept": "application/json", "X-CSRFToken": token}
    for n in range(3):
        answer = post(http, chat, data={"answer": ANSWER}, headers=headers)
        assert answer.status_code == 200 and answer.json()["finished"] is (n == 2), answer.text
    with lock:
        completed_at[chat.rsplit("/", 1)[1]] = time.monotonic()
        names[name] = chat.rsplit("/", 1)[1]


def start(args: list[str], env: dict, log: str) -> subprocess.Popen:
    with open(log, "a", encoding="utf-8") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def start_worker(env: dict, log: str) -> tuple[subprocess.Popen, float]:
    """A worker, once it is ready (its log says so); returns it and how long it took to start."""
    began, mark = time.monotonic(), os.path.getsize(log) if os.path.exists(log) else 0
    worker = start([sys.executable, "-m", "flask", "--app", "app", "franko", "worker"], env, log)
    while time.monotonic() - began < 60:
        with open(log, encoding="utf-8") as f:
            f.seek(mark)
            if "thread(s) on" in f.read():
                break
        time.sleep(0.02)
    return worker, time.monotonic() - began


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=100)
    parser.add_argument("--threads", type=int, default=4, help="interviewees at once")
    parser.add_argument("--kill-every", type=float, default=2.0, help="seconds between SIGKILLs of the worker")
    parser.add_argument("--lease", type=float, default=30.0, help="FRANKO_JOB_LEASE for the workers")
    parser.add_argument("--bound", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    from aiosmtpd.controller import Controller

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    directory = tempfile.mkdtemp(prefix="franko-bench-")
    database_url = args.database_url or f"sqlite:///{directory}/bench.sqlite"
    instance_id = seed(database_url, f"http://127.0.0.1:{receiver.server_port}/hook")
    env = franko_env(DATABASE_URL=database_url, FRANKO_WEBHOOK_ALLOW_PRIVATE="1", MAIL_SERVER="127.0.0.1",
                     MAIL_PORT=str(smtp.port), MAIL_USE_TLS="0", FRANKO_JOB_LEASE=str(args.lease),
                     FRANKO_THEMES_DELAY="5")
    port = free_port()
    server = start([os.path.join(ROOT, ".venv", "bin", "gunicorn"), "app:app", "--bind", f"127.0.0.1:{port}"],
                   env, f"{directory}/gunicorn.log")
    wait_for_port(port)
    worker_log = f"{directory}/worker.log"
    kills, starts, began, killed_at = 0, [], time.monotonic(), []
    worker, took = start_worker(env, worker_log)
    starts.append(took)
    people = [f"N{n:03d}" for n in range(args.interviews)]
    one_interview(f"http://127.0.0.1:{port}", instance_id, people[0])  # alone: the guide's first version is written
    queue = people[1:]

    def person():
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop(0)
            one_interview(f"http://127.0.0.1:{port}", instance_id, name)

    threads = [threading.Thread(target=person) for _ in range(args.threads)]
    for t in threads:
        t.start()

    def owed() -> bool:
        with lock:
            return (any(t.is_alive() for t in threads) or len(completed_at) < len(people)
                    or any(names[n] not in hooks or n not in emails for n in people if n in names))

    try:
        while owed() and time.monotonic() - began < args.bound:
            time.sleep(args.kill_every)
            worker.send_signal(signal.SIGKILL)
            killed_at.append(time.monotonic())
            worker.wait(timeout=10)
            kills += 1
            worker, took = start_worker(env, worker_log)
            starts.append(took)
        finished = time.monotonic() - began
        time.sleep(max(5.0, args.lease))  # a calm worker: anything sent twice late would show now
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        server.terminate()
        server.wait(timeout=30)
        receiver.shutdown()
        smtp.stop()
    copies = [len(emails.get(n, [])) for n in people]
    email_lag = [emails[n][0] - completed_at[names[n]] for n in people if n in emails and n in names]
    hook_lag = [hooks[names[n]][0] - completed_at[names[n]] for n in people if n in names and names[n] in hooks]
    print(f"{len(completed_at)} completions; worker SIGKILLed {kills} times, every {args.kill_every:g} s, "
          f"for {finished:.0f} s; lease {args.lease:g} s; {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"a worker took {statistics.median(starts):.1f} s to start (median), {max(starts):.1f} s at most; "
          f"logs in {directory}")
    print(f"web requests answered 500 and retried: {web_errors[0]}")
    print(f"emails: {copies.count(1)} exactly once, {copies.count(0)} missing, "
          f"{sum(1 for c in copies if c > 1)} duplicated")
    for n in (n for n in people if len(emails.get(n, [])) > 1):  # when each copy arrived against the nearest kill
        kill = min(killed_at, key=lambda k: abs(k - emails[n][0]), default=None)
        print(f"  {n} ({names.get(n)}): copies {', '.join(f'{t - began:.3f} s' for t in emails[n])}"
              + (f"; the nearest SIGKILL {kill - began:.3f} s" if kill is not None else ""))
    print(f"webhooks: {len(hook_lag)} of {len(people)} delivered (2xx), "
          f"{sum(len(v) for v in hooks.values()) - len(hooks)} repeated POSTs")
    for label, lags in (("email", email_lag), ("webhook", hook_lag)):
        if lags:
            print(f"completion -> {label}: median {statistics.median(lags):.2f} s, p95 {percentile(lags, 0.95):.2f} s, "
                  f"max {max(lags):.2f} s")


if __name__ == "__main__":
    main()
