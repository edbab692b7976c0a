"""Benchmark: the responses list searched and limited to a date range, 100,000 responses vs 100, same run.

Run by hand (never a test), from the repository root:

    .venv/bin/python bench/responses_search.py [--requests 400] [--rounds 3] [--concurrency 4] [--workers 2]

Like bench/responses_list.py (whose client it uses), but every timed request is
GET /instances/<id>/responses?q=sourdough&from=<30 days ago>&to=<today>. The schema comes from
the models (`db.create_all()`: the trigram index included). One row in 1,000 of the large
instance mentions the searched word in its answer (one in 3 of the small one, so that both pages
hold 25 rows); the 100,000 rows span 69 days, so the date range keeps 43 % of them.
It prints the plan of the large instance's query, the throughput of each instance and their
ratio (goal: large >= 80% of small). Everything it starts is stopped and its database dropped at
the end, whatever happens. Only 127.0.0.1 is contacted.
"""
import argparse
import os
import signal
import subprocess
import time
from datetime import date, timedelta

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from bench.responses_list import PG, create_tables_and_owner, free_port, log_in, run_round, wait_for  # noqa: E402

BIG, SMALL = 100_000, 100
HARD_TIMEOUT = 600


def create_schema_and_seed(url: str):
    """Tables, the owner (responses_list's), a large and a small instance; returns the app and their ids."""
    app = create_tables_and_owner(url)
    with psycopg.connect(dbname=url.rsplit("/", 1)[1], **PG, autocommit=True) as conn:
        ids = []
        every = {BIG: 1000, SMALL: 3}
        for n in (BIG, SMALL):
            instance_id = conn.execute(
                "INSERT INTO chat_instances (id, user_id, interview_guide) VALUES (gen_random_uuid(), 'bench-owner', %s)"
                " RETURNING id", (f"# Study of {n}\n- What do you bake?\n- Why?",)).fetchone()[0]
            # A few KB of conversation per row, each answer different. "Sourdough" is in one row in
            # 1,000 of the large instance and one in 3 of the small one: both pages are full (25 rows).
            conn.execute(
                "INSERT INTO chat_responses (id, user_id, chat_instance_id, status, completion_status,"
                " interviewee_first_name, interviewee_second_name, interviewee_email, interview_start_time,"
                " interview_end_time, total_interview_minutes, messages_json, clean_transcript, charged_at,"
                " created_at, updated_at)"
                " SELECT gen_random_uuid(), 'bench-owner', %s,"
                "  (ARRAY['completed','abandoned','in_progress'])[1 + g %% 3], '3/5', 'Person' || g, 'Surname',"
                "  'p' || g || '@example.com', now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '9 minutes',"
                "  9, '[{\"role\": \"assistant\", \"content\": \"What do you bake?\", \"question\": 0},'"
                "     || '{\"role\": \"user\", \"content\": \"' || CASE WHEN g %% %s = 7 %% %s THEN 'Sourdough' ELSE 'Rye' END"
                "     || ' loaves, batch ' || md5(g::text) || repeat(' lorem ipsum dolor', 100) || '\"}]',"
                "  repeat('Agent: a question. ', 150), now() - g * interval '1 minute',"
                "  now() - g * interval '1 minute', now() - g * interval '1 minute'"
                " FROM generate_series(1, %s) AS g", (instance_id, every[n], every[n], n))
            ids.append(str(instance_id))
        conn.execute("VACUUM ANALYZE chat_responses")
    return app, ids[0], ids[1]


def explain(app, url: str, instance_id: str, query: dict) -> str:
    """EXPLAIN ANALYZE of the very statement the list runs (built by franko.responses.services)."""
    import uuid

    import sqlalchemy as sa
    from werkzeug.datastructures import MultiDict

    from franko.extensions import db
    from franko.models import ChatResponse
    from franko.responses.services import Filters

    with app.app_context():
        filters = Filters.from_args(MultiDict(query))
        stmt = (sa.select(ChatResponse.id).where(*filters.where(uuid.UUID(instance_id)))
                .order_by(ChatResponse.created_at.desc(), ChatResponse.id.desc()).limit(26))
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql).all()
        db.engine.dispose()
    return "\n  ".join(r[0] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per timed round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per instance, alternating")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    signal.alarm(HARD_TIMEOUT)

    name = f"franko_bench_search_{os.getpid()}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(dbname="postgres", **PG, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        t0 = time.time()
        app, big_id, small_id = create_schema_and_seed(url)
        print(f"Seeded {BIG:,} + {SMALL:,} responses in {time.time() - t0:.1f} s")
        today = date.today()
        query = {"q": "sourdough", "from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}
        print("Plan of the large instance's page:\n  " + explain(app, url, big_id, query))
        search = "?" + "&".join(f"{k}={v}" for k, v in query.items())
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + os.urandom(8).hex(),
               "FRANKO_INSECURE_COOKIES": "1", "FLASK_DEBUG": "0", "FRANKO_BASE_URL": f"http://127.0.0.1:{port}"}
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
        wait_for(port, time.time() + 30)
        cookie = log_in(port)
        paths = {"small (100)": f"/instances/{small_id}/responses{search}",
                 "large (100,000)": f"/instances/{big_id}/responses{search}"}
        for path in paths.values():  # warm-up
            run_round(port, cookie, path, 100, args.concurrency)
        results = {label: [] for label in paths}
        for _ in range(args.rounds):
            for label, path in paths.items():
                results[label].append(run_round(port, cookie, path, args.requests, args.concurrency))
        print(f"\n{args.rounds} rounds x {args.requests} requests of ?{search[1:]}, concurrency {args.concurrency}, "
              f"gunicorn {args.workers} workers (threads as gunicorn.conf.py sets), PostgreSQL:")
        for label, rates in results.items():
            print(f"  {label:16} " + "  ".join(f"{r:7.1f}" for r in rates) + f"   mean {sum(rates) / len(rates):7.1f} req/s")
        small = sum(results["small (100)"]) / args.rounds
        large = sum(results["large (100,000)"]) / args.rounds
        print(f"  large / small = {100 * large / small:.1f}% (goal >= 80%)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(dbname="postgres", **PG, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
