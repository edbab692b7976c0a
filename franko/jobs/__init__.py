"""The job queue, an extension: background work (emails, summaries, themes, notifications, webhooks) off the request.

`@job` makes a function a job; a feature registers its jobs on the app from its init_app
(`register_module(app, jobs)`); `some_job.enqueue(...)` writes it into the caller's transaction
(the jobs table: an outbox that is also the queue); `flask franko worker` runs it under a lease.
The queue never imports a feature.
"""
from flask import Flask

from franko.jobs import admin, cli  # noqa: F401 — cli adds worker, run-jobs and jobs to `flask franko`
from franko.jobs.queue import init_app as init_registry
from franko.jobs.queue import RetryLater, holder, job, periodic, queue, register, register_module  # noqa: F401
from franko.jobs.store import run_pending  # noqa: F401


def init_app(app: Flask) -> None:
    """An empty job registry for `app` (the features fill it), the queue's commands, and its summary for /metrics."""
    init_registry(app)
    app.extensions["franko_queue_summary"] = admin.summary
