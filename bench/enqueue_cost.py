"""Benchmark: what the outbox adds to a completing request: one INSERT into `jobs` inside the answer's transaction.

In-process, on the app's own engine: the completing answer's write (one UPDATE of the response
row, then COMMIT) timed with and without `after_completion.enqueue(...)` in the same transaction,
alternating, after a warm-up. Run by hand, never by pytest:

    .venv/bin/python bench/enqueue_cost.py [--runs 400] [--database-url postgresql://…]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    import sqlalchemy as sa

    from franko import create_app
    from franko.config import ProductionConfig
    from franko.extensions import db
    from franko.interview.jobs import after_completion
    from franko.jobs.models import QueuedJob
    from franko.models import ChatResponse, utcnow
    from tests.factories import make_instance, make_profile, make_response

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='franko-bench-')}/bench.sqlite"
    app = create_app(type("Bench", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                                                         "FRANKO_BASE_URL": "http://127.0.0.1"}))
    times: dict[bool, list[float]] = {False: [], True: []}
    with app.app_context():
        db.create_all()
        response_id = make_response(make_instance(make_profile())).id
        for n in range(args.runs + 40):
            queued = n % 2 == 1
            began = time.perf_counter()
            db.session.execute(sa.update(ChatResponse).where(ChatResponse.id == response_id)
                               .values(updated_at=utcnow()))
            if queued:
                after_completion.enqueue(str(response_id))
            db.session.commit()
            if n >= 40:  # after the warm-up
                times[queued].append(time.perf_counter() - began)
        db.session.execute(sa.delete(QueuedJob))
        db.session.commit()
    base, with_job = statistics.median(times[False]), statistics.median(times[True])
    print(f"{url.split(':')[0]}: commit alone {base * 1000:.2f} ms, with the job {with_job * 1000:.2f} ms (medians of "
          f"{len(times[True])}); the outbox adds {(with_job - base) * 1000:+.2f} ms "
          f"(p90 {sorted(times[True])[int(0.9 * len(times[True]))] * 1000:.2f} ms with, "
          f"{sorted(times[False])[int(0.9 * len(times[False]))] * 1000:.2f} ms without)")


if __name__ == "__main__":
    main()
