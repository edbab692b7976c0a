"""`flask franko worker`: the one command that runs the job queue (and `run-jobs`, to drain it once)."""
import logging

import click
from flask import current_app

from franko.cli import franko_cli
from franko.jobs.queue import queue, run_pending


@franko_cli.command("worker")
@click.option("--threads", type=int, default=None, help="Jobs run at once (default: FRANKO_WORKER_THREADS, 4).")
def worker_command(threads: int | None) -> None:
    """Run queued jobs until stopped (Ctrl-C or SIGTERM finish the running jobs first)."""
    threads = threads or current_app.config.get("FRANKO_WORKER_THREADS", 4)
    huey = queue()
    logging.getLogger("huey").setLevel(logging.INFO)
    click.echo(f"Franko worker: {threads} thread(s) on {type(huey.storage).__name__} ({huey.name}).")
    # Polls an idle queue every 0.1 s, backing off to 1 s: a completed interview's work starts at once.
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True, initial_delay=0.1,
                         backoff=1.15, max_delay=1.0).run()


@franko_cli.command("run-jobs")
def run_jobs_command() -> None:
    """Run every job queued now (retries included) in this process, then stop."""
    count = run_pending()
    click.echo(f"{count} job{'s' if count != 1 else ''} run.")
