"""`flask franko upgrade`: the upgrade's steps shown as they run (rows, elapsed, an estimate) and its report.

migrations/env.py times each step and calls this observer (config.attributes["franko_observer"]);
the same observer serves the real run and `--dry-run`, so both print the same report.
"""
import sys
import time

import click

from franko import upgrade_report


class UpgradeProgress:
    """Shows each step of one upgrade on stderr (a bar on a terminal) and collects its report."""

    def __init__(self, dry_run: bool, report: bool, before: dict[str, int]):
        self.dry_run, self.with_counts, self.before = dry_run, report, before
        self.plan: list[str] = []
        self.steps = []
        self.indexes: list[tuple[str, float, str]] = []
        self.locked = None
        self.after: dict[str, int] | None = None
        self.result = None
        self.started = time.monotonic()
        self.bar = None

    # --- events from migrations/env.py ------------------------------------------------------------

    def begin(self, plan: list[str], estimate: float) -> None:
        self.started = time.monotonic()
        self.plan = plan
        if not plan:
            click.echo("The database is at the latest revision: nothing to upgrade.", err=True)
            return
        click.echo(f"Upgrading through {len(plan)} revision(s), {plan[0]} → {plan[-1]}"
                   + (f"; estimated {estimate:.0f}s" if estimate >= 1 else "")
                   + (" (dry run: everything is rolled back at the end)" if self.dry_run else ""), err=True)
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=len(plan), label="upgrading", file=sys.stderr,
                                         show_eta=False, item_show_func=lambda label: label)
            self.bar.__enter__()

    def step_started(self, step) -> None:
        if self.bar is not None:
            self.bar.current_item = f"{step.revision} {step.name}"[:60]
            self.bar.render_progress()

    def step_done(self, step, left: float) -> None:
        self.steps.append(step)
        estimate = f"  ~{left:.0f}s left" if left >= 1 else ""
        self.line(f"  [{time.monotonic() - self.started:6.1f}s] {step.revision:<24} {step.name[:56]:<56} "
                  f"{step.rows:>9,} rows {step.elapsed:6.1f}s{estimate}")
        if self.bar is not None and step.revision in self.plan:
            done = self.plan.index(step.revision)  # the revisions before this step's are complete
            self.bar.update(max(0, done - self.bar.pos))

    def close_bar(self) -> None:
        """End the terminal's bar (it hides the cursor while it shows), also when the upgrade failed."""
        if self.bar is not None:
            self.bar.update(max(0, len(self.plan) - self.bar.pos))
            self.bar.__exit__(None, None, None)
            self.bar = None

    def before_end(self, connection) -> None:
        """Inside the transaction, at its end: a dry run reads the upgraded database here, before its rollback."""
        self.close_bar()
        if self.dry_run and self.with_counts:
            self.count_after(connection)

    def ended(self, seconds: float, committed: bool) -> None:
        self.locked = seconds
        click.echo(f"{'Committed' if committed else 'Rolled back'} after {seconds:.1f}s "
                   "(the upgrade's transaction: the window in which the app must wait)", err=True)

    def index_started(self, name: str) -> None:
        how = "inside the transaction, to time it" if self.dry_run else \
            "CREATE INDEX CONCURRENTLY: the app may run; search works meanwhile, without the index (slower)"
        self.line(f"  building {name} after the commit ({how}) …")

    def index_done(self, name: str, seconds: float) -> None:
        ready = time.strftime("%H:%M:%S", time.gmtime())
        self.indexes.append((name, seconds, ready))
        self.line(f"  {name} ready at {ready} UTC ({seconds:.1f}s)")

    # --- the report ---------------------------------------------------------------------------------

    def line(self, text: str) -> None:
        if self.bar is not None:
            click.echo("\r\033[K" + text, err=True)
            self.bar.render_progress()
        else:
            click.echo(text, err=True)

    def count_after(self, bind) -> None:
        self.after = upgrade_report.count_rows(bind)
        self.result = upgrade_report.reconcile(self.before, self.after, bind)

    @property
    def ok(self) -> bool:
        return self.result is None or self.result.ok

    def report(self) -> str:
        out = []
        if self.with_counts and self.after is not None:
            out.append(upgrade_report.format_report(self.before, self.after, self.result))
        out.append("Steps (revision, step, rows written, time):")
        out += [f"  {s.revision:<24} {s.name[:56]:<56} {s.rows:>9,} rows {s.elapsed:6.1f}s" for s in self.steps] \
            or ["  none: the database was at the latest revision"]
        whole = (self.locked or 0) + sum(seconds for _, seconds, _ in self.indexes)
        out.append(f"Locked window (the upgrade's one transaction; the app waits): {self.locked or 0:.1f}s")
        for name, seconds, ready in self.indexes:
            out.append(f"After the commit, without blocking the app: {name} (CREATE INDEX CONCURRENTLY) "
                       f"{seconds:.1f}s, ready at {ready} UTC; the search works before it, only slower")
        out.append(f"Whole upgrade: {whole:.1f}s")
        if self.dry_run:
            out.append("Dry run: everything above was rolled back; the database is unchanged.")
        return "\n".join(out)
