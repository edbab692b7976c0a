"""`flask franko worker` runs the queue; `flask franko jobs` shows and retries it; `run-jobs` drains it once."""
import click
from flask import current_app

from franko import database
from franko.commands import franko_cli
from franko.extensions import db
from franko.jobs import admin
from franko.jobs.store import run_pending
from franko.jobs.worker import Worker


@franko_cli.command("worker")
@click.option("--threads", type=int, default=None, help="Jobs run at once (default: FRANKO_WORKER_THREADS, 4).")
def worker_command(threads: int | None) -> None:
    """Run queued jobs until SIGTERM or Ctrl-C (running jobs get FRANKO_WORKER_GRACE seconds to finish)."""
    threads = threads or current_app.config.get("FRANKO_WORKER_THREADS", 4)
    database.IMMEDIATE["on"] = True
    click.echo(f"Franko worker: {threads} thread(s).", err=True)  # stderr: unbuffered in a log file too
    raise SystemExit(Worker(current_app._get_current_object(), threads).run())


@franko_cli.command("run-jobs")
def run_jobs_command() -> None:
    """Run every queued job now (retries included) in this process, then stop."""
    count = run_pending()
    click.echo(f"{count} job{'s' if count != 1 else ''} run.")


@franko_cli.command("jobs")
@click.option("--failed", "failed_only", is_flag=True, help="Only the failed jobs.")
@click.option("--retry", "retry_id", type=int, default=None, help="Queue the failed job ID again, now.")
def jobs_command(failed_only: bool, retry_id: int | None) -> None:
    """The queue: how many jobs wait, run and failed, the oldest's age, and the jobs themselves."""
    if retry_id is not None:
        if not admin.retry(retry_id):
            db.session.rollback()
            raise click.ClickException(f"No failed job {retry_id}.")
        db.session.commit()
        click.echo(f"Job {retry_id} queued again.")
        return
    summary = admin.summary()
    age = f"{summary.oldest_age:.0f} s" if summary.oldest_age is not None else "-"
    click.echo(f"waiting {summary.waiting}, running {summary.running}, failed {summary.failed}; "
               f"oldest waiting: {age}")
    for row in admin.listing(failed_only=failed_only):
        click.echo(f"{row.id:>8} {row.state:<8} {row.name} {row.args} attempts {row.attempts}/{row.max_attempts}"
                   + (f" — {row.last_error.splitlines()[0]}" if row.last_error else ""))
