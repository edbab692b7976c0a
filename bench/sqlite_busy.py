"""Benchmark: `make run`'s pair (one `flask run`, one `flask franko worker`) on one SQLite file, the worker busy.

An owner with `--responses` completed responses whose summaries are queued three times (a worker
writing every few milliseconds); four interviewees start interviews and answer twice each, for
`--seconds`, through the real server. Prints every status code seen and how many "database is
locked" lines the server and the worker logged. Loopback only (port 18090), bounded:

    .venv/bin/python -m bench.sqlite_busy [--responses 150] [--seconds 30]
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile
import threading
import time

import requests

from bench.common import ROOT, VENV_BIN, csrf_token

PORT = 18090
SEED = """
import sys
from franko import create_app
from franko.extensions import db
from franko.insights.jobs import queue_insights
from tests.factories import make_instance, make_profile, make_response
app = create_app()
with app.app_context():
    owner = make_profile(email="owner@example.com", plan="pro", total_responses_available=100000)
    instance = make_instance(owner, guide="# Study\\n- What do you do?\\n- What is hard?")
    for n in range(int(sys.argv[1])):
        make_response(instance, first_name=f"R{n}")
    for _ in range(3):
        queue_insights(False)
    print(instance.id)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="franko-sqlite-busy-")
    env = {**os.environ, "FLASK_DEBUG": "1", "DATABASE_URL": f"sqlite:///{directory}/franko.sqlite",
           "FRANKO_OUTBOX_FILE": f"{directory}/outbox.jsonl", "FRANKO_INTERVIEW_RATE_LIMIT": "100000 per minute"}
    for name in ("TEST_DATABASE_URL", "MAIL_SERVER", "REDIS_URL", "RATELIMIT_STORAGE_URI", "OPENAI_BASE_URL"):
        env.pop(name, None)
    subprocess.run([f"{VENV_BIN}/flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    instance_id = subprocess.run([sys.executable, "-c", SEED, str(args.responses)], cwd=ROOT, env=env, check=True,
                                 capture_output=True, text=True).stdout.split()[-1]
    with open(f"{directory}/web.log", "w") as web_log, open(f"{directory}/worker.log", "w") as worker_log:
        web = subprocess.Popen([f"{VENV_BIN}/flask", "--app", "app", "run", "--no-reload", "--port", str(PORT)],
                               cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT)
        worker = subprocess.Popen([f"{VENV_BIN}/flask", "--app", "app", "franko", "worker"], cwd=ROOT, env=env,
                                  stdout=worker_log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{PORT}"
    codes: collections.Counter = collections.Counter()
    lock = threading.Lock()

    def person(n: int, stop: float) -> None:
        while time.monotonic() < stop:
            http = requests.Session()
            http.trust_env = False
            try:
                page = http.get(f"{base}/i/{instance_id}", timeout=30)
                reply = http.post(f"{base}/i/{instance_id}", allow_redirects=False, timeout=30,
                                  data={"csrf_token": csrf_token(page.text), "first_name": f"P{n}", "consent": "y"})
                seen = [("GET start", page.status_code), ("POST start", reply.status_code)]
                if reply.status_code == 302:
                    chat = reply.headers["Location"].split("#")[0]
                    chat = chat if chat.startswith("http") else base + chat
                    for _ in range(2):
                        answer = http.post(chat, data={"answer": "I bake bread."}, timeout=30, headers={
                            "Accept": "application/json", "X-CSRFToken": csrf_token(page.text)})
                        seen.append(("POST answer", answer.status_code))
            except (requests.RequestException, AttributeError) as error:
                seen = [("error", type(error).__name__)]
            with lock:
                codes.update(seen)

    try:
        for _ in range(120):
            try:
                requests.get(base + "/healthz", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.5)
        stop = time.monotonic() + args.seconds
        people = [threading.Thread(target=person, args=(n, stop)) for n in range(4)]
        for thread in people:
            thread.start()
        for thread in people:
            thread.join()
    finally:
        worker.send_signal(2)
        worker.wait(60)
        web.terminate()
        web.wait(30)
    print(f"{args.responses} responses, their summaries queued 3 times; {args.seconds:g} s of 4 interviewees")
    for (what, code), n in sorted(codes.items(), key=str):
        print(f"  {what} {code}: {n}")
    for name in ("web", "worker"):
        with open(f"{directory}/{name}.log", encoding="utf-8") as f:
            text = f.read()
        print(f"'database is locked' in the {name}'s log: {text.count('database is locked')}; "
              f"jobs done: {text.count(': done')}" if name == "worker" else
              f"'database is locked' in the {name}'s log: {text.count('database is locked')}")
    print(f"logs in {directory}")


if __name__ == "__main__":
    main()
