"""The job queue: background work (emails, summaries, themes, notifications, webhooks) off the request.

`@job` marks a function as a job; `some_job.enqueue(...)` writes it into the caller's transaction
(the jobs table: an outbox that is also the queue); `flask franko worker` runs it under a lease.
"""
from franko.jobs.queue import RetryLater, holder, init_app, job, periodic, queue  # noqa: F401
from franko.jobs.store import run_pending  # noqa: F401
