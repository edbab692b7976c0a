"""Benchmark: summaries per second through the real queue and `flask franko worker`, the LLM a local fake of fixed latency.

N completed responses in a fresh SQLite file (or the empty database --database-url names), their
summary jobs queued in a SqliteHuey file, then `flask --app app franko worker --threads T` started
as a subprocess; the time from the worker being ready to the last summary stored, for each T. Run by
hand, never by pytest (loopback only, every wait bounded):

    .venv/bin/python bench/summary_worker.py [--responses 200] [--latency 0.2] [--threads 1 4 8]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEADLINE_SECONDS = 600


def reply(body: dict) -> str:
    """The fake model's summary: one sentence and the interviewee's first line as its quote."""
    said = re.findall(r"^Interviewee: (.*)$", body["messages"][-1]["content"], re.M)
    return json.dumps({"summary": "The interviewee runs a bakery and worries about flour prices.",
                       "quotes": said[:2]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2, help="the fake model's seconds per request")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--database-url", default=None, help="an empty database (default: a new SQLite file)")
    parser.add_argument("--offline", action="store_true", help="no model: the offline summaries")
    args = parser.parse_args()

    from tests.insights.fake_llm import FakeOpenAI

    work = tempfile.mkdtemp(prefix="franko-bench-")
    fake = None if args.offline else FakeOpenAI(reply, latency=args.latency)
    env = {**os.environ, "DATABASE_URL": args.database_url or f"sqlite:///{work}/franko.sqlite",
           "SECRET_KEY": "bench", "FRANKO_BASE_URL": "http://127.0.0.1",
           "FLASK_DEBUG": "0", "REDIS_URL": ""}
    if fake is not None:
        env.update({"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "bench", "FRANKO_LLM_MODEL": "fake",
                    "FRANKO_LLM_TIMEOUT": "10"})
    os.environ.update(env)
    import sqlalchemy as sa

    from franko import create_app
    from franko.extensions import db
    from franko.insights.jobs import summarize_response
    from franko.models import ChatResponse
    from tests.insights.conftest import INTERVIEWS, add_interview
    from tests.factories import make_instance, make_profile

    app = create_app()
    with app.app_context():
        db.create_all()
        instance = make_instance(make_profile(email="bench@example.com", plan="pro"))
        answers = list(INTERVIEWS.values())
        ids = [str(add_interview(instance, f"P{i}", answers[i % len(answers)]).id) for i in range(args.responses)]

    print(f"{args.responses} responses, model latency {'offline' if fake is None else f'{args.latency:g} s'}, "
          f"database {env['DATABASE_URL'].split(':')[0]}")
    print("| threads | seconds | summaries/s | per summary (ms) |\n|---|---|---|---|")
    for threads in args.threads:
        with app.app_context():
            db.session.execute(sa.update(ChatResponse).values(summary=None))
            db.session.commit()
            for response_id in ids:
                summarize_response.enqueue(response_id)
            db.session.commit()  # the jobs are rows of the app's database, queued by this commit
        log_path = os.path.join(work, f"worker-{threads}.log")
        with open(log_path, "w") as log:  # a file, not a pipe: the worker's log never blocks it
            worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "franko", "worker",
                                       "--threads", str(threads)], cwd=ROOT, env=env, stdout=log,
                                      stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + DEADLINE_SECONDS
            while time.monotonic() < deadline and "Franko worker:" not in open(log_path).read():
                time.sleep(0.05)  # the worker's banner: ready
            start = time.monotonic()
            done = 0
            while done < len(ids) and time.monotonic() < deadline:
                time.sleep(0.05)
                with app.app_context():
                    done = db.session.scalar(sa.select(sa.func.count()).where(ChatResponse.summary.is_not(None)))
                    db.session.commit()
            seconds = time.monotonic() - start
        finally:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        if done < len(ids):
            raise SystemExit(f"only {done} of {len(ids)} summaries in {DEADLINE_SECONDS} s")
        print(f"| {threads} | {seconds:.2f} | {done / seconds:.1f} | {1000 * seconds / done:.0f} |", flush=True)
    if fake is not None:
        fake.stop()


if __name__ == "__main__":
    main()
