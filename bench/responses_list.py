"""Benchmark: the responses list of an instance with 100,000 responses vs one with 100, same run.

Run by hand (never a test), from the repository root:

    .venv/bin/python bench/responses_list.py [--requests 600] [--concurrency 4] [--workers 2]

It creates its own PostgreSQL database on 127.0.0.1:5432 (user postgres), seeds one owner with
two instances, serves the app with gunicorn on a free local port, logs in, then alternates timed
rounds of GET /instances/<id>/responses on the small and the large instance, and prints the
throughput of each and their ratio (goal: large >= 80% of small). Everything it starts is
stopped and its database dropped at the end, whatever happens. Only 127.0.0.1 is contacted.
"""
import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
BIG, SMALL = 100_000, 100
HARD_TIMEOUT = 600  # seconds: the whole run never goes beyond this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_tables_and_owner(url: str):
    """Tables from the models and one pro owner, 'bench-owner' (password 'bench password'); returns the app."""
    from franko import create_app
    from franko.config import Config
    from franko.extensions import db

    sa_url = "postgresql+psycopg://" + url.split("://", 1)[1]
    app = create_app(type("BenchSetup", (Config,), {"SQLALCHEMY_DATABASE_URI": sa_url, "SECRET_KEY": "setup",
                                                     "TESTING": True}))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    with psycopg.connect(dbname=url.rsplit("/", 1)[1], **PG, autocommit=True) as conn:
        from franko.auth.passwords import hash_password

        conn.execute(
            "INSERT INTO profiles (id, user_id, email, membership, password_hash, total_chat_instances_used,"
            " total_chat_instances_available, monthly_responses_quota, total_responses_available)"
            " VALUES (gen_random_uuid(), 'bench-owner', 'bench@example.com', 'pro', %s, 2, 50, 1000, 1000)",
            (hash_password("bench password"),))
    return app


def create_schema_and_seed(url: str) -> tuple[str, str]:
    """Tables, the owner, a large and a small instance; returns their ids."""
    create_tables_and_owner(url)
    with psycopg.connect(dbname=url.rsplit("/", 1)[1], **PG, autocommit=True) as conn:
        ids = []
        for n in (BIG, SMALL):
            instance_id = conn.execute(
                "INSERT INTO chat_instances (id, user_id, interview_guide) VALUES (gen_random_uuid(), 'bench-owner', %s)"
                " RETURNING id", (f"# Study of {n}\n- What do you do?\n- Why?",)).fetchone()[0]
            # Realistic rows: a conversation and a transcript of a few KB each, which the list must not load.
            conn.execute(
                "INSERT INTO chat_responses (id, user_id, chat_instance_id, status, completion_status,"
                " interviewee_first_name, interviewee_second_name, interviewee_email, interview_start_time,"
                " interview_end_time, total_interview_minutes, messages_json, clean_transcript, created_at, updated_at)"
                " SELECT gen_random_uuid(), 'bench-owner', %s,"
                "  (ARRAY['completed','abandoned','in_progress'])[1 + g %% 3], '3/5', 'Person' || g, 'Surname',"
                "  'p' || g || '@example.com', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '9 minutes',"
                "  9, repeat('{\"role\": \"user\", \"content\": \"lorem ipsum\"},', 60), repeat('Agent: a question. ', 150),"
                "  now() - g * interval '1 minute', now() - g * interval '1 minute'"
                " FROM generate_series(1, %s) AS g", (instance_id, n))
            ids.append(str(instance_id))
        conn.execute("VACUUM ANALYZE chat_responses")
        plan = conn.execute(
            "EXPLAIN SELECT id FROM chat_responses WHERE chat_instance_id = %s"
            " ORDER BY created_at DESC, id DESC LIMIT 26 OFFSET 0", (ids[0],)).fetchall()
        print("Plan of the large instance's first page:\n  " + "\n  ".join(r[0] for r in plan))
    return ids[0], ids[1]


class Client:
    """A keep-alive HTTP/1.1 client with the logged-in session cookie, one per thread."""

    def __init__(self, port: int, cookie: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = cookie

    def get(self, path: str) -> int:
        self.conn.request("GET", path, headers={"Cookie": self.cookie})
        response = self.conn.getresponse()
        response.read()
        return response.status


def log_in(port: int) -> str:
    """Log in through the real form (CSRF on, as in production); returns the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/auth/login")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": "bench@example.com", "password": "bench password"})
    conn.request("POST", "/auth/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"login failed: {response.status}"
    return response.getheader("Set-Cookie").split(";", 1)[0]


def run_round(port: int, cookie: str, path: str, requests: int, concurrency: int) -> float:
    """`requests` GETs of `path` over `concurrency` connections; returns requests per second."""
    local = threading.local()
    failures = []

    def one(_):
        if not hasattr(local, "client"):
            local.client = Client(port, cookie)
        status = local.client.get(path)
        if status != 200:
            failures.append(status)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - start
    assert not failures, f"{path}: non-200 answers {failures[:5]}"
    return requests / elapsed


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the gunicorn workers), from /proc."""
    total = 0
    for child in [pid] + [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]:
        with open(f"/proc/{child}/status") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return total


def export_once(port: int, cookie: str, path: str, server_pid: int) -> str:
    """One streamed CSV export of the large instance: time, size, and the workers' memory around it."""
    before = rss_kb(server_pid)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    size, first_byte = 0, None
    while chunk := response.read(65536):
        first_byte = first_byte or time.perf_counter() - start
        size += len(chunk)
    elapsed = time.perf_counter() - start
    after = rss_kb(server_pid)
    return (f"  CSV export of {BIG:,} responses: {size / 1e6:.1f} MB in {elapsed:.1f} s, first bytes after "
            f"{1000 * first_byte:.0f} ms, gunicorn RSS {before / 1024:.0f} MB -> {after / 1024:.0f} MB")


def wait_for(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per timed round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per instance, alternating")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    signal.alarm(HARD_TIMEOUT)  # bounded in time whatever happens

    name = f"franko_bench_{os.getpid()}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(dbname="postgres", **PG, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        t0 = time.time()
        big_id, small_id = create_schema_and_seed(url)
        print(f"Seeded {BIG:,} + {SMALL:,} responses in {time.time() - t0:.1f} s")
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + os.urandom(8).hex(),
               "FRANKO_INSECURE_COOKIES": "1", "FLASK_DEBUG": "0", "FRANKO_BASE_URL": f"http://127.0.0.1:{port}"}
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
        wait_for(port, time.time() + 30)
        cookie = log_in(port)
        paths = {"small (100)": f"/instances/{small_id}/responses",
                 "large (100,000)": f"/instances/{big_id}/responses"}
        for path in paths.values():  # warm-up: imports, template compilation, connection pools
            run_round(port, cookie, path, 100, args.concurrency)
        results = {label: [] for label in paths}
        for _ in range(args.rounds):
            for label, path in paths.items():
                results[label].append(run_round(port, cookie, path, args.requests, args.concurrency))
        print(f"\n{args.rounds} rounds x {args.requests} requests, concurrency {args.concurrency}, "
              f"gunicorn {args.workers} sync workers, PostgreSQL:")
        for label, rates in results.items():
            print(f"  {label:16} " + "  ".join(f"{r:7.1f}" for r in rates) + f"   mean {sum(rates) / len(rates):7.1f} req/s")
        small = sum(results["small (100)"]) / args.rounds
        large = sum(results["large (100,000)"]) / args.rounds
        print(f"  large / small = {100 * large / small:.1f}% (goal >= 80%)")
        deep = run_round(port, cookie, paths["large (100,000)"] + "?page=2000", 100, args.concurrency)
        print(f"  (for reference, page 2000 of the large instance, offset 49,975: {deep:.1f} req/s)")
        print(export_once(port, cookie, f"/instances/{big_id}/responses.csv", server.pid))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(dbname="postgres", **PG, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
