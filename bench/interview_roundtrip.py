"""Benchmark: an interview answer -> next question round trip through gunicorn, default agent.

Two owners in one PostgreSQL database, one with 100,000 stored responses and one with 100; the
same load runs against each, in alternating rounds, and the throughputs are compared (goal: the
big owner keeps at least 80% of the small one's). Run by hand, never by pytest:

    .venv/bin/python bench/interview_roundtrip.py [--answers 200] [--rounds 10] [--threads 8]

It creates its own database on 127.0.0.1:5432 (user postgres), serves it with gunicorn on a free
local port, and drops the database at the end. Bounded: a fixed number of requests and a deadline.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field

import psycopg
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
QUESTIONS = 20  # each interview answers this many questions, then a new interview starts
DEADLINE_SECONDS = 600
ANSWER = "We bake bread for forty cafés in Leeds and deliver every morning."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_schema(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from franko import create_app
    from franko.config import DevelopmentConfig
    from franko.extensions import db

    app = create_app(type("BenchSetup", (DevelopmentConfig,), {"DEBUG": True, "SQLALCHEMY_DATABASE_URI": url.replace(
        "postgresql://", "postgresql+psycopg://")}))
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def seed(conn, label: str, stored: int) -> uuid.UUID:
    """An owner with plenty of credit, one instance (20 questions) and `stored` completed responses."""
    user_id = f"bench-{label}"
    conn.execute(
        "INSERT INTO profiles (id, user_id, email, organisation_name, organisation_description, membership,"
        " total_responses_available, monthly_responses_quota, total_responses_used,"
        " total_responses_used_this_month, total_chat_instances_used, total_chat_instances_available,"
        " created_at, updated_at)"
        " VALUES (gen_random_uuid(), %s, %s, %s, 'A bakery.', 'pro', 1000000, 1000000, %s, 0, 1, 50, now(), now())",
        (user_id, f"{label}@example.com", f"Owner {label}", stored))
    instance_id = uuid.uuid4()
    guide = "# Bench\n" + "\n".join(f"Question number {n}?" for n in range(1, QUESTIONS + 1))
    conn.execute("INSERT INTO chat_instances (id, user_id, interview_guide, created_at, updated_at)"
                 " VALUES (%s, %s, %s, now(), now())", (instance_id, user_id, guide))
    conn.execute(
        "INSERT INTO chat_responses (id, user_id, chat_instance_id, status, completion_status,"
        " interviewee_first_name, interview_start_time, interview_end_time, total_interview_minutes,"
        " messages_json, clean_transcript, created_at, updated_at)"
        " SELECT gen_random_uuid(), %s, %s, 'completed', '20/20', 'P' || g,"
        "  now() - (g || ' minutes')::interval - interval '12 minutes', now() - (g || ' minutes')::interval, 12,"
        "  repeat('{\"role\": \"user\", \"content\": \"stored answer\", \"at\": \"2026-01-01T00:00:00Z\"}', 40),"
        "  repeat('Interviewer: a question\nP: an answer\n', 40),"
        "  now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval"
        " FROM generate_series(1, %s) AS g", (user_id, instance_id, stored))
    return instance_id


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


class Interviewee:
    """One browser session: intake once per interview, then answers by fetch-style JSON posts."""

    def __init__(self, base: str, instance_id: uuid.UUID):
        self.base, self.instance_id = base, instance_id
        self.http = requests.Session()
        self.chat_url: str | None = None
        self.csrf: str | None = None
        self.left = 0

    def start(self) -> None:
        start_url = f"{self.base}/i/{self.instance_id}?new=1"
        page = self.http.get(start_url, timeout=30)
        self.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        reply = self.http.post(start_url, data={"csrf_token": self.csrf, "first_name": "Bench", "consent": "y"},
                               allow_redirects=False, timeout=30)
        assert reply.status_code == 302, reply.status_code
        self.chat_url = self.base + reply.headers["Location"].split("#")[0]
        self.left = QUESTIONS

    def answer(self) -> bool:
        reply = self.http.post(self.chat_url, data={"answer": ANSWER, "csrf_token": self.csrf},
                               headers={"Accept": "application/json", "X-CSRFToken": self.csrf}, timeout=30)
        self.left -= 1
        return reply.status_code == 200 and reply.json().get("outcome") == "answered"


def run_round(base: str, instance_id: uuid.UUID, answers: int, threads: int, people: list[Interviewee]) -> Result:
    result = Result()
    lock = threading.Lock()
    remaining = [answers]

    def worker(person: Interviewee):
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            if person.left == 0:
                person.start()  # an intake is not a round trip we measure
            began = time.perf_counter()
            ok = person.answer()
            elapsed = time.perf_counter() - began
            with lock:
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1

    began = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(people[n],)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    result.seconds = time.perf_counter() - began
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200, help="answers per owner per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=100)
    args = parser.parse_args()

    name = f"franko_bench_interview_{os.getpid()}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        create_schema(url)
        with psycopg.connect(dbname=name, autocommit=True, **PG) as conn:
            t = time.perf_counter()
            big = seed(conn, "big", args.big)
            small = seed(conn, "small", args.small)
            conn.execute("ANALYZE")
            print(f"seeded {args.big:,} + {args.small:,} responses in {time.perf_counter() - t:.1f} s")

        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only-secret", "FRANKO_INSECURE_COOKIES": "1",
               "FRANKO_INTERVIEW_RATE_LIMIT": "1000000 per minute", "FLASK_DEBUG": "0",
               "FRANKO_BASE_URL": f"http://127.0.0.1:{port}"}
        for key in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "FRANKO_LLM_MODEL"):
            env.pop(key, None)  # the default agent: no network
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "app:app"], cwd=ROOT, env=env, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(60):
            try:
                requests.get(base + "/", timeout=5).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not start")

        deadline = time.monotonic() + DEADLINE_SECONDS
        people = {label: [Interviewee(base, instance) for _ in range(args.threads)]
                  for label, instance in (("big", big), ("small", small))}
        run_round(base, small, args.threads * 4, args.threads, people["small"])  # warm-up, not counted
        run_round(base, big, args.threads * 4, args.threads, people["big"])
        totals = {"big": Result(), "small": Result()}
        pair_ratios = []  # big/small per round: the machine's load drifts, a pair shares the same moment
        for n in range(args.rounds):
            this_round = {}
            for label, instance in (("big", big), ("small", small)) if n % 2 == 0 else (("small", small), ("big", big)):
                if time.monotonic() > deadline:
                    raise SystemExit("deadline reached")
                r = run_round(base, instance, args.answers, args.threads, people[label])
                totals[label].latencies += r.latencies
                totals[label].errors += r.errors
                totals[label].seconds += r.seconds
                this_round[label] = r.throughput
                print(f"round {n + 1} {label:5}: {r.throughput:7.1f} answers/s, errors {r.errors}")
            pair_ratios.append(this_round["big"] / this_round["small"])

        print(f"\n{'owner':28} {'answers':>8} {'answers/s':>10} {'median ms':>10} {'p95 ms':>8} {'errors':>7}")
        for label, stored in (("small", args.small), ("big", args.big)):
            r = totals[label]
            p95 = statistics.quantiles(r.latencies, n=20)[18] * 1000
            print(f"{f'{stored:,} stored responses':28} {len(r.latencies):8} {r.throughput:10.1f} "
                  f"{statistics.median(r.latencies) * 1000:10.1f} {p95:8.1f} {r.errors:7}")
        ratio = totals["big"].throughput / totals["small"].throughput
        print(f"\nbig / small throughput: {ratio:.0%} over all rounds, median of the per-round ratios "
              f"{statistics.median(pair_ratios):.0%} (goal: at least 80%)")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
