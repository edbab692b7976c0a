"""Commands around the schema upgrade: backup, upgrade with a report, verify, archive purge."""
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime

import click
import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.util import CommandError
from flask import current_app

from franko import integrity, upgrade_report
from franko.commands import franko_cli
from franko.extensions import db
from franko.upgrade_progress import UpgradeProgress


@franko_cli.command("backup")
@click.option("--dir", "directory", default="backups", show_default=True, help="Where to write the backup.")
def backup_command(directory: str) -> None:
    """Write a restorable copy of the database and print its path."""
    click.echo(backup(directory))


def backup(directory: str) -> str:
    """pg_dump's custom format for PostgreSQL, an online copy of the file for SQLite."""
    os.makedirs(directory, exist_ok=True)
    url = db.engine.url
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if url.get_backend_name() == "sqlite":
        path = os.path.join(directory, f"franko-{stamp}.sqlite")
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(path)
        with target:
            source.backup(target)  # consistent even while the app writes
        source.close()
        target.close()
        return path
    if not shutil.which("pg_dump"):
        raise click.ClickException("pg_dump is not installed: install the PostgreSQL client to back up.")
    path = os.path.join(directory, f"franko-{stamp}.dump")
    libpq_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--format=custom", "--file", path, libpq_url], check=True)
    return path


@franko_cli.command("upgrade")
@click.option("--report/--no-report", default=True, help="Row counts before and after, reconciled.")
@click.option("--backup-dir", default=None, help="Back up into this folder first.")
@click.option("--dry-run", is_flag=True,
              help="The whole upgrade in one transaction that is rolled back: the same steps and report, nothing changed.")
def upgrade_command(report: bool, backup_dir: str | None, dry_run: bool) -> None:
    """`flask db upgrade` with each step's progress, an optional backup first and a reconciled report."""
    if backup_dir and not dry_run:
        click.echo(f"Backup written to {backup(backup_dir)}")
    progress = UpgradeProgress(dry_run=dry_run, report=report, before=upgrade_report.count_rows(db.engine))
    config = current_app.extensions["migrate"].migrate.get_config(x_arg=["dry-run=1"] if dry_run else None)
    config.attributes["franko_observer"] = progress
    try:
        alembic_command.upgrade(config, "head")
    except (CommandError, RuntimeError) as exc:  # as `flask db upgrade` reports them
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.close_bar()
        db.engine.dispose()
    if report and not dry_run:  # read after the commit: outside the locked window
        progress.count_after(db.engine)
    click.echo(progress.report())
    if not progress.ok:
        sys.exit(1)


@franko_cli.command("verify")
def verify_command() -> None:
    """Check the data: orphans, counters, colliding emails, response times; non-zero exit on a problem."""
    findings = integrity.verify()
    click.echo(integrity.report(findings))
    if findings:
        sys.exit(1)


@franko_cli.group("archive")
def archive_group() -> None:
    """The legacy archive the upgrade filled (D4)."""


@archive_group.command("purge")
@click.option("--source", help="Only rows archived from this table (e.g. interviews).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_command(source: str | None, yes: bool) -> None:
    """Delete archived legacy rows for good (a downgrade can then no longer restore them)."""
    table = sa.table("legacy_archive", sa.column("source_table"))
    # The baseline's own record (what it found) is bookkeeping for the downgrade, not legacy data.
    condition = sa.and_(table.c.source_table == source if source else sa.true(),
                        table.c.source_table != "franko:baseline")
    count = db.session.execute(sa.select(sa.func.count()).select_from(table).where(condition)).scalar()
    if not count:
        click.echo("The archive holds no such rows.")
        return
    what = f"{count} archived row(s)" + (f" from {source}" if source else "")
    if not yes:
        click.confirm(f"Delete {what}? They cannot be restored afterwards.", abort=True)
    db.session.execute(sa.delete(table).where(condition))
    db.session.commit()
    current_app.logger.warning("legacy archive purged: %s", what)
    click.echo(f"Deleted {what}.")
