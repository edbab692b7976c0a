"""Benchmark: the admin usage page with 10,000 organisations vs 100, same run (goal: >= 80% throughput).

Run by hand (never a test), from the repository root:

    .venv/bin/python bench/admin_usage.py [--requests 400] [--rounds 3] [--concurrency 4] [--workers 2]

It creates two PostgreSQL databases on 127.0.0.1:5432 (user postgres), seeds one with 100
organisations and one with 10,000 (each with a chat instance and responses over the last 90
days), serves each with its own gunicorn on a free local port, logs the admin in, then
alternates timed rounds of the same request on the small and the large one and prints each
throughput and their ratio. The default page (sorted by email), a sort by usage, a search and
the chart are measured; the goal applies to the default page. Everything it starts is stopped
and both databases dropped at the end, whatever happens. Only 127.0.0.1 is contacted.
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
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
ADMIN_EMAIL, PASSWORD = "admin@example.com", "correct horse"
SIZES = {"small": 100, "large": 10_000}
RESPONSES_PER_ORG = 3
HARD_TIMEOUT = 600  # seconds: the whole run never goes beyond this
TARGETS = {
    "default page (by email)": "/admin/",
    "sorted by usage, desc": "/admin/?sort=used&dir=desc",
    "search 'owner0042'": "/admin/?q=owner0042",
    "chart SVG (90 days)": "/admin/chart/responses-per-day.svg",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_schema_and_seed(url: str, orgs: int) -> None:
    """The schema by the app's models, then `orgs` organisations inserted in bulk (plus the admin)."""
    from franko import create_app
    from franko.auth.passwords import hash_password
    from franko.config import DevelopmentConfig
    from franko.extensions import db

    app = create_app(type("BenchSetup", (DevelopmentConfig,), {"DEBUG": True, "SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    plans = [("free", 10, 1), ("starter", 100, 5), ("pro", 1000, 50)]
    profiles, instances, responses = [], [], []
    admin_id = str(uuid.uuid4())
    profiles.append((admin_id, ADMIN_EMAIL, "Franko HQ", "free", 0, 10, 10, 0, 0, 1, hash_password(PASSWORD), now))
    for i in range(orgs):
        name, quota, cap = plans[i % 3]
        used = (i * 37) % (quota + 1)
        user_id = str(uuid.uuid4())
        profiles.append((user_id, f"owner{i:04d}@example.com", f"Organisation {i:04d}", name, used, quota,
                         quota - used, used + i % 500, 1, cap, None, now - timedelta(days=i % 400)))
        instance_id = uuid.uuid4()
        instances.append((instance_id, user_id, "# Discovery\nWhat do you do?", now))
        for k in range(RESPONSES_PER_ORG):
            created = now - timedelta(days=(i * 7 + k * 31) % 90, minutes=i % 600)
            responses.append((uuid.uuid4(), user_id, instance_id, "completed", "Ada", created, created))
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO profiles (id, user_id, email, organisation_name, membership, total_responses_used_this_month,"
            " monthly_responses_quota, total_responses_available, total_responses_used, total_chat_instances_used,"
            " total_chat_instances_available, password_hash, created_at, updated_at)"
            " VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())", profiles)
        cur.executemany("INSERT INTO chat_instances (id, user_id, interview_guide, created_at, updated_at)"
                        " VALUES (%s, %s, %s, %s, now())", instances)
        cur.executemany("INSERT INTO chat_responses (id, user_id, chat_instance_id, status, interviewee_first_name,"
                        " created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)", responses)
        conn.commit()
        cur.execute("ANALYZE")


def explain_default_page(url: str) -> str:
    """PostgreSQL's plan for the default page's select (as the app sends it)."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "EXPLAIN ANALYZE SELECT user_id, email FROM profiles WHERE true"
            " ORDER BY lower(email) ASC NULLS LAST, user_id LIMIT 50 OFFSET 0").fetchall()
    return "\n".join("    " + r[0] for r in rows)


def wait_for(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def request(port: int, method: str, path: str, headers: dict | None = None, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def log_in(port: int) -> str:
    """The admin's session cookie, through the real login form (CSRF on)."""
    status, headers, body = request(port, "GET", "/auth/login")
    cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token})
    status, headers, _ = request(port, "POST", "/auth/login", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 302, f"login failed: {status}"
    return "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")


def run_round(port: int, cookie: str, path: str, total: int, concurrency: int) -> float:
    """`total` GETs of `path` by `concurrency` clients; returns requests per second (every one must be 200)."""
    remaining = iter(range(total))
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            status, _, _ = request(port, "GET", path, {"Cookie": cookie})
            assert status == 200, f"{path}: HTTP {status}"

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(client) for _ in range(concurrency)]:
            future.result()
    return total / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per round (chart and extras: a quarter)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("benchmark deadline")))
    signal.alarm(HARD_TIMEOUT)

    names = {label: f"franko_bench_admin_{label}_{os.getpid()}" for label in SIZES}
    servers: list[subprocess.Popen] = []
    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        ports, cookies = {}, {}
        for label, orgs in SIZES.items():
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{names[label]}"
            t0 = time.time()
            create_schema_and_seed(url, orgs)
            print(f"Seeded {orgs:,} organisations, {orgs * RESPONSES_PER_ORG:,} responses in {time.time() - t0:.1f} s")
            if label == "large":
                print("  plan of the default page's select on the large database:\n" + explain_default_page(url))
            ports[label] = free_port()
            env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + os.urandom(8).hex(),
                   "FRANKO_ADMIN_EMAILS": ADMIN_EMAIL, "FRANKO_INSECURE_COOKIES": "1", "FLASK_DEBUG": "0",
                   "FRANKO_BASE_URL": f"http://127.0.0.1:{ports[label]}"}
            servers.append(subprocess.Popen(
                [os.path.join(ROOT, ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{ports[label]}",
                 "--log-level", "warning", "app:app"], cwd=ROOT, env=env))
        for label in SIZES:
            wait_for(ports[label], time.time() + 30)
            cookies[label] = log_in(ports[label])

        print(f"\n{args.rounds} alternating rounds, concurrency {args.concurrency}, "
              f"gunicorn {args.workers} sync workers per server, PostgreSQL:")
        for target, path in TARGETS.items():
            total = args.requests if path == "/admin/" else max(args.requests // 4, 20)
            for label in SIZES:  # warm-up: imports, templates, connection pools
                run_round(ports[label], cookies[label], path, 40, args.concurrency)
            rates = {label: [] for label in SIZES}
            for _ in range(args.rounds):
                for label in SIZES:
                    rates[label].append(run_round(ports[label], cookies[label], path, total, args.concurrency))
            means = {label: sum(r) / len(r) for label, r in rates.items()}
            print(f"  {target} ({total} requests a round):")
            for label, orgs in SIZES.items():
                print(f"    {orgs:>6,} orgs  " + "  ".join(f"{r:7.1f}" for r in rates[label])
                      + f"   mean {means[label]:7.1f} req/s")
            print(f"    ratio large/small: {means['large'] / means['small']:.0%}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        with psycopg.connect(**PG, dbname="postgres", autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        signal.alarm(0)


if __name__ == "__main__":
    main()
