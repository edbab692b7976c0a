"""Benchmark: `flask db upgrade` on a large legacy PostgreSQL database against a plain-copy floor.

    .venv/bin/python -m bench.upgrade [--scale 1] [--scale 0.1] [--repeat 3] [--readers] [--cli] [--keep-template]

At scale 1 the legacy database has 19,000 users (1,000 of them a second user of the same person,
email in another case; 1,000 merging into a platform profile by email), 12,000 profiles, 90,000
double-encoded chats (about 2.5 kB of messages each), 30,000 interviews with plain-text
transcripts, and a few thousand rows in each other legacy table. Two floors
copy rows with plain `CREATE TABLE … AS SELECT` in one transaction (see FLOOR_A and FLOOR_B); the
upgrade is Franko's real migration run in-process (`flask db upgrade`'s code), timed twice: its locked
window (the one transaction, BEGIN to COMMIT) and the whole (with the search index that is built
after the commit, CONCURRENTLY). All start from
the same template database. Only 127.0.0.1 is used; every database made here is dropped.
"""
import argparse
import os
import subprocess
import sys
import time

import psycopg
from sqlalchemy.engine import make_url

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from migrations import legacy_schema  # noqa: E402
from migrations import legacy_transcript  # noqa: E402

BASE = {"users": 18_000, "profiles": 12_000, "merged": 2_000, "by_email": 1_000, "twins": 1_000,
        "chats": 90_000, "interviews": 30_000, "todos": 5_000, "conversations": 3_000, "reservations": 3_000}

# Shaped as production is (SPEC §2): the chatbot's capitalised tables, its messages and details
# double-encoded, voice transcripts as `[mm:ss] Speaker:` lines with no cleaned copy for a third,
# `churn`/`Churn` spellings, users whose email differs only in case (twins), users who also have a
# platform profile with their email (by_email), and counters that contradict each other.
GENERATE = """
INSERT INTO "User" (id, email, password)
  SELECT gen_random_uuid(), 'user' || g || '@example.com', '$2b$10$' || md5(g::text) || repeat('x', 21)
  FROM generate_series(1, %(users)s) g;
INSERT INTO "User" (id, email, password)
  SELECT gen_random_uuid(), 'USER' || g || '@Example.com', NULL FROM generate_series(1, %(twins)s) g;
INSERT INTO profiles (user_id, email, membership, company_name, company_url, company_description,
                      company_description_completed, minutes_total_used, minutes_used_this_month,
                      minutes_available, monthly_minutes, agent_interviewer_name, voice_id, first_name)
  SELECT 'user_2' || md5(g::text),
         CASE WHEN g <= %(by_email)s THEN 'User' || (%(users)s - g) || '@example.com'
              ELSE 'owner' || g || '@example.com' END,
         (ARRAY['free','starter','pro'])[1 + g %% 3]::membership, 'Organisation ' || g,
         'https://org' || g || '.example.com', repeat('We make things for people. ', 12), true,
         g %% 500, CASE WHEN g %% 97 = 0 THEN 600 ELSE g %% 50 END, 100 - g %% 50, 100,
         CASE WHEN g %% 3 = 0 THEN 'Ava' END, CASE WHEN g %% 5 = 0 THEN 'voice-' || g END, 'Owner'
  FROM generate_series(1, %(profiles)s - %(merged)s) g;
INSERT INTO profiles (user_id, first_name, membership)
  SELECT id::text, 'Merged', 'free' FROM "User"
  WHERE email ~ '^user[0-9]+@' AND CAST(substring(email FROM '[0-9]+') AS integer) BETWEEN 2001 AND 2000 + %(merged)s;
CREATE TEMP TABLE uids AS SELECT row_number() OVER () AS n, id FROM "User";
CREATE INDEX ON uids (n);
INSERT INTO "Chat" (id, "createdAt", messages, "userId")
  SELECT gen_random_uuid(), timestamp '2025-01-01' + g * interval '1 minute',
         to_json(CAST(json_build_array(
           json_build_object('role', 'assistant', 'content', 'What brought you here today? ' || repeat('Tell me more. ', 8)),
           json_build_object('role', 'user', 'content', repeat('Lorem ipsum dolor sit amet, consectetur. ', 8 + g %% 12)),
           json_build_object('role', 'assistant', 'content', 'And what happened next? ' || repeat('Go on. ', 10)),
           json_build_object('role', 'user', 'content', repeat('Sed do eiusmod tempor incididunt ut labore. ', 6 + g %% 10)),
           json_build_object('role', 'assistant', 'content', 'Thank you so much for your time!'),
           json_build_object('role', 'user', 'content', 'You are welcome ' || g)) AS text)),
         u.id
  FROM generate_series(1, %(chats)s) g JOIN uids u ON u.n = 1 + g %% (%(users)s + %(twins)s);
CREATE TEMP TABLE pids AS SELECT row_number() OVER () AS n, user_id FROM profiles;
CREATE INDEX ON pids (n);
INSERT INTO interviews (user_id, client_name, unique_customer_identifier, use_case, interviewee_first_name,
                        interviewee_last_name, interviewee_email, status, date_completed, interview_start_time,
                        interview_end_time, total_interview_minutes, call_id, conversation_history_raw,
                        conversation_history_cleaned, interview_audio_link, client_company_description,
                        agent_name, voice_id, analysis_output)
  SELECT CASE WHEN g %% 50 = 0 THEN 'user_2ghost' || g ELSE p.user_id END, 'Client', 'c-' || g,
         (ARRAY['Churn', 'churn', 'Onboarding', 'Pricing ', 'Discovery', 'Support'])[1 + g %% 6],
         'First' || g, 'Last' || g, 'person' || g || '@example.com', 'ready for review',
         timestamp '2025-02-01' + g * interval '1 minute', timestamp '2025-02-01' + g * interval '1 minute',
         timestamp '2025-02-01' + g * interval '1 minute' + interval '20 minutes', 20, 'call-' || g,
         (SELECT string_agg(format('[%%s:%%s] %%s: %%s', lpad((t / 3)::text, 2, '0'), lpad((t * 7 %% 60)::text, 2, '0'),
                 CASE WHEN t %% 2 = 0 THEN 'Agent' ELSE 'User' END,
                 CASE WHEN t %% 2 = 0 THEN 'A question about the product, and why?'
                      ELSE 'An answer of some length, with detail.' || chr(10) || 'And a second line.' END), chr(10))
          FROM generate_series(0, 39) t WHERE g > 0),
         CASE WHEN g %% 3 = 0 THEN NULL ELSE repeat('Interviewer: a question? Interviewee: an answer. ', 40) END,
         'https://audio.example.com/' || g, 'A company description.', 'Ava', 'v1', repeat('analysis ', 100)
  FROM generate_series(1, %(interviews)s) g JOIN pids p ON p.n = 1 + g %% %(profiles)s;
INSERT INTO todos (user_id, content) SELECT 'user_2' || md5(g::text), 'todo ' || g
  FROM generate_series(1, %(todos)s) g;
INSERT INTO creator_conversations (user_id, messages)
  SELECT 'user_2' || md5(g::text), '[{"role":"user","content":"draft a guide"}]'::jsonb
  FROM generate_series(1, %(conversations)s) g;
INSERT INTO "Reservation" ("createdAt", details, "userId")
  SELECT now(), to_json(CAST('{"seat":"1A"}' AS text)), u.id FROM generate_series(1, %(reservations)s) g
  JOIN uids u ON u.n = 1 + g %% %(users)s;
"""

TABLES = legacy_schema.tables("User")
# Floor A: every legacy table copied once, as it is.
FLOOR_A = [f'CREATE TABLE "floor_{t}" AS SELECT * FROM "{t}"' for t in TABLES]
# Floor B: the same rows the upgrade writes, with the same transformations the spec asks for (each
# archived row as JSON, the double-encoded chats' originals archived and their messages unwrapped,
# interviews projected to responses with their transcripts turned into messages, one instance per
# owner and use case, users to profiles), by plain CREATE TABLE … AS, with no keys, indexes,
# checks or archive bookkeeping.
FLOOR_B = [
    "SET LOCAL default_toast_compression = 'lz4'",
    "SET LOCAL work_mem = '64MB'",  # as the upgrade's session has it (migrations/env.py)
    "SET LOCAL jit = off",
    *[f'CREATE TABLE "archive_{t}" AS SELECT CAST(row_to_json(t) AS text) AS row_json FROM "{t}" AS t'
      for t in ("User", "interviews", "todos", "creator_conversations", "Reservation", "Chat")],
    'CREATE TABLE floor_chat AS SELECT id, "createdAt" AS created_at, messages #>> \'{}\' AS messages, '
    'CAST("userId" AS text) AS user_id, "createdAt" AS updated_at FROM "Chat"',
    f"CREATE TEMP TABLE floor_transcripts AS SELECT * FROM {legacy_transcript.postgresql_messages('true')} AS t",
    "ANALYZE floor_transcripts",
    "CREATE TABLE floor_responses AS SELECT i.id, user_id, use_case, interviewee_first_name, interviewee_last_name, "
    "interviewee_email, interview_start_time, interview_end_time, total_interview_minutes, "
    "COALESCE(t.messages, conversation_history_raw) AS messages, "
    "COALESCE(conversation_history_cleaned, conversation_history_raw), created_at, updated_at FROM interviews AS i "
    "LEFT JOIN floor_transcripts AS t ON t.id = i.id",
    "CREATE TABLE floor_instances AS SELECT CAST(md5(user_id || chr(31) || lower(trim(use_case))) AS uuid) AS id, "
    "user_id, '# ' || min(trim(use_case)) || ' (imported)' AS interview_guide, min(created_at) AS created_at "
    "FROM interviews GROUP BY user_id, lower(trim(use_case))",
    'CREATE TABLE floor_profiles AS SELECT user_id, email, company_name FROM profiles '
    'UNION ALL SELECT CAST(id AS text), email, NULL FROM "User"',
]

# Floor C: floor B plus the responses' search index as the end state has it (the same trigram GIN
# expression, built plainly inside the transaction): the hand-written upgrade's whole end state.
FLOOR_C = FLOOR_B + [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX floor_search ON floor_responses USING gin ((lower(coalesce(interviewee_first_name, '') || ' ' "
    "|| coalesce(interviewee_last_name, '') || ' ' || coalesce(interviewee_email, '') || ' ' "
    "|| coalesce(messages, ''))) gin_trgm_ops)",
]


def libpq(url):
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def admin(url):
    return psycopg.connect(libpq(url), autocommit=True)


def db_url(url, name):
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def build_template(url, name, scale):
    counts = {k: max(1, int(v * scale)) for k, v in BASE.items()}
    with admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    with psycopg.connect(libpq(db_url(url, name))) as conn:
        ddl = legacy_schema.ddl("postgresql", "User")
        for table in ["membership"] + legacy_schema.PLATFORM_TABLES + legacy_schema.CHATBOT_TABLES:
            conn.execute(ddl[table])
        for statement in filter(str.strip, GENERATE.split(";\n")):
            conn.execute(statement, counts)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    print(f"  generated {counts} in {time.perf_counter() - started:.1f}s ({size})")
    return counts


def clone(url, template, name):
    with admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return db_url(url, name)


def exists(url, name):
    with admin(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def drop(url, *names):
    with admin(url) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def time_floor(url, statements):
    with psycopg.connect(libpq(url)) as conn:
        started = time.perf_counter()
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        return time.perf_counter() - started


class Timings:
    """Observer of migrations/env.py (as `flask franko upgrade` has one): the locked window and the after-commit indexes."""

    def __init__(self):
        self.locked, self.indexes = None, 0.0

    def ended(self, seconds, committed):
        self.locked = seconds

    def index_done(self, name, seconds):
        self.indexes += seconds


def time_upgrade(url):
    """The whole upgrade in-process (`flask db upgrade`'s code, the after-commit index included) → (whole, locked window)."""
    from alembic import command
    from flask import current_app

    from franko import create_app
    from franko.config import TestingConfig

    app = create_app(type("Bench", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        timings = Timings()
        config.attributes["franko_observer"] = timings
        started = time.perf_counter()
        command.upgrade(config, "head")
        elapsed = time.perf_counter() - started
        from franko.extensions import db

        db.engine.dispose()
    # Before the upgrade had an observer (and its after-commit step) the whole ran in its transaction.
    return elapsed, timings.locked if timings.locked is not None else elapsed


def time_cli(url):
    """`flask franko upgrade` as an operator runs it: a new process, its start and exit included."""
    env = dict(os.environ, DATABASE_URL=make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
               FLASK_DEBUG="1")
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    started = time.perf_counter()
    subprocess.run([flask, "--app", "app", "franko", "upgrade", "--no-report"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def reader_wait(url):
    """Run the upgrade while another session reads `profiles` every 50 ms; the longest wait of a read.

    The upgrade takes an exclusive lock on profiles early in its one transaction and keeps it to
    the end: this is how long the app's readers would queue (bounded: it stops with the upgrade).
    """
    import threading

    done, waits = threading.Event(), []

    def read():
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            while not done.is_set():
                started = time.perf_counter()
                conn.execute("SELECT count(*) FROM profiles").fetchone()
                waits.append(time.perf_counter() - started)
                time.sleep(0.05)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.2)
    upgrade, _ = time_upgrade(url)
    done.set()
    reader.join(timeout=60)
    return upgrade, max(waits), len(waits)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1/postgres")
    parser.add_argument("--scale", type=float, action="append")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--readers", action="store_true", help="Also measure how long a SELECT on profiles waits.")
    parser.add_argument("--cli", action="store_true", help="Also time `flask franko upgrade` as a new process.")
    parser.add_argument("--keep-template", action="store_true", help="Keep (and reuse) the legacy template database.")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    results = []
    for scale in args.scale or [0.1, 1.0]:
        template = f"franko_bench_legacy_{str(scale).replace('.', '_')}"
        print(f"scale {scale}:")
        if not (args.keep_template and exists(args.url, template)):
            build_template(args.url, template, scale)
        floors_a, floors_b, floors_c, upgrades, locked, clis = [], [], [], [], [], []
        for _ in range(args.repeat):
            floors_a.append(time_floor(clone(args.url, template, "franko_bench_floor"), FLOOR_A))
            drop(args.url, "franko_bench_floor")
            floors_b.append(time_floor(clone(args.url, template, "franko_bench_floor"), FLOOR_B))
            drop(args.url, "franko_bench_floor")
            floors_c.append(time_floor(clone(args.url, template, "franko_bench_floor"), FLOOR_C))
            whole, window = time_upgrade(clone(args.url, template, "franko_bench_upgrade"))
            upgrades.append(whole)
            locked.append(window)
            if args.cli:
                clis.append(time_cli(clone(args.url, template, "franko_bench_upgrade")))
            drop(args.url, "franko_bench_floor", "franko_bench_upgrade")
        floor_a, floor_b, floor_c = min(floors_a), min(floors_b), min(floors_c)
        upgrade, window = min(upgrades), min(locked)
        if args.readers:
            took, longest, reads = reader_wait(clone(args.url, template, "franko_bench_upgrade"))
            drop(args.url, "franko_bench_upgrade")
            print(f"  a SELECT on profiles during an upgrade of {took:.2f}s waited up to {longest:.2f}s "
                  f"({reads} reads, one every 50 ms)")
        rounded = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
        print(f"  floor A, each legacy table copied as it is:      {floor_a:6.2f}s  ({rounded(floors_a)})")
        print(f"  floor B, the same rows and transformations:      {floor_b:6.2f}s  ({rounded(floors_b)})")
        print(f"  floor C, floor B + the search index (inline):    {floor_c:6.2f}s  ({rounded(floors_c)})")
        print(f"  upgrade, locked window (its one transaction):    {window:6.2f}s  ({rounded(locked)})")
        print(f"  upgrade, whole (+ the index built after commit): {upgrade:6.2f}s  ({rounded(upgrades)})")
        if clis:
            print(f"  flask franko upgrade as a new process:           {min(clis):6.2f}s  ({rounded(clis)})")
        print(f"  locked window / floor B = {window / floor_b:.2f} (goal 1.2), "
              f"whole / floor B = {upgrade / floor_b:.2f} (goal 1.5), whole / floor C = {upgrade / floor_c:.2f}")
        results.append((scale, floor_b, upgrade))
        if not args.keep_template:
            drop(args.url, template)
    if len(results) > 1:
        (s0, f0, u0), (s1, f1, u1) = results[0], results[-1]
        print(f"rows x{s1 / s0:g}: upgrade time x{u1 / u0:.2f}, floor B time x{f1 / f0:.2f}")


if __name__ == "__main__":
    main()
