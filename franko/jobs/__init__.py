"""The job queue: background work (emails, summaries, themes, notifications, webhooks) off the request.

`@job` marks a function as a job; `some_job.enqueue(...)` queues it; `flask franko worker` runs
the queue. Huey keeps the queue in a SQLite file by default (no server: `make run` does it all)
and in Redis when `REDIS_URL` is set.
"""
from franko.jobs.queue import init_app, job, periodic, queue, run_pending  # noqa: F401
