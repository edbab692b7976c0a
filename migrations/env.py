import logging
import time
from logging.config import fileConfig

import sqlalchemy
from flask import current_app

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
# Keep the app's loggers: a migration run inside the app (tests, `flask db upgrade`) must not silence them.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


# `flask franko upgrade` (franko/cli/database.py) passes an observer in config.attributes; plain
# `flask db upgrade` logs the same steps. `-x dry-run=1` runs everything in a transaction it rolls back.
OBSERVER = "franko_observer"
# Relative cost per legacy row of the revisions that carry them (µs, bench/upgrade.py at scale 1):
# the estimate is these, scaled by the speed the run has shown so far.
ROW_COST = {
    "0002_profiles_accounts": {"profiles": 40, "user": 40},
    "0003_chat_instances": {"chat": 120, "todos": 10, "creator_conversations": 10, "reservations": 10},
    "0004_chat_responses": {"interviews": 1000},
}
LEGACY_SPELLINGS = {"user": ("User", "user"), "chat": ("Chat", "chat"), "reservations": ("Reservation", "reservations")}
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "WITH")


class Step:
    """One step of the upgrade: its revision, its name, the statements it ran and the rows they wrote."""

    def __init__(self, revision, name, started):
        self.revision, self.name, self.started = revision, name, started
        self.statements = self.rows = 0
        self.elapsed = 0.0


class Tracker:
    """Times each step (a revision's schema changes, then each h.progress() step), counts the rows
    its statements write, and estimates what is left; tells the logger and the observer."""

    def __init__(self, observer, plan, legacy_rows):
        self.observer, self.plan = observer, plan
        self.index = 0
        self.started = time.monotonic()
        self.predicted = {rev: sum(cost * legacy_rows.get(t, 0) for t, cost in ROW_COST.get(rev, {}).items()) / 1e6
                          for rev in plan}
        self.steps, self.current = [], None
        self.revision_started = self.started
        self.actual_done = self.predicted_done = 0.0  # of the revisions completed
        self.notify("begin", plan, self.estimate())
        self.open("schema changes")

    def notify(self, event, *args):
        handler = getattr(self.observer, event, None)
        if handler is not None:
            handler(*args)

    def revision(self):
        return self.plan[self.index] if self.index < len(self.plan) else "(after)"

    def estimate(self):
        """Seconds left: the remaining revisions' predicted cost (the current one's included, less the
        time it has run), scaled by how the completed revisions compared with their prediction."""
        speed = self.actual_done / self.predicted_done if self.predicted_done > 0.5 else 1.0
        left = sum(self.predicted.get(rev, 0) for rev in self.plan[self.index:]) * speed
        return max(0.0, left - (time.monotonic() - self.revision_started))

    def open(self, name):
        self.current = Step(self.revision(), name, time.monotonic())
        if name != "schema changes":
            logger.info("  [%6.1fs] %s (%s)", time.monotonic() - self.started, name, self.current.revision)
        self.notify("step_started", self.current)

    def close(self):
        step, self.current = self.current, None
        if step is None:
            return
        step.elapsed = time.monotonic() - step.started
        if step.statements or step.name != "schema changes":
            self.steps.append(step)
            self.notify("step_done", step, self.estimate())

    def step(self, name):
        self.close()
        self.open(name)

    def executed(self, conn, cursor, statement, parameters, context, executemany):
        if self.current is None:
            return
        self.current.statements += 1
        words = [line for line in statement.lstrip().splitlines() if not line.lstrip().startswith("--")]
        first = words[0].lstrip().split(None, 1)[0].upper() if words and words[0].strip() else ""
        if first in WRITES and (cursor.rowcount or 0) > 0 and "alembic_version" not in statement:
            self.current.rows += cursor.rowcount

    def version_applied(self, ctx, step, heads, run_args):
        self.close()
        now = time.monotonic()
        if self.index < len(self.plan):
            self.actual_done += now - self.revision_started
            self.predicted_done += self.predicted.get(self.plan[self.index], 0)
        self.revision_started = now
        self.index += 1
        if self.index < len(self.plan):
            self.open("schema changes")

    def finish(self):
        self.close()


def legacy_row_counts(connection) -> dict[str, int]:
    """Rows of each legacy table present, by logical name (PostgreSQL: the planner's estimate when it has one)."""
    present = set(sqlalchemy.inspect(connection).get_table_names())
    counts = {}
    for logical in ("profiles", "interviews", "todos", "creator_conversations", "user", "chat", "reservations"):
        table = next((t for t in LEGACY_SPELLINGS.get(logical, (logical,)) if t in present), None)
        if table is None:
            continue
        n = -1
        if connection.dialect.name == "postgresql":
            n = connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%(t)s)", {"t": f'"{table}"'}).scalar()
        if n is None or n < 0:
            n = connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar()
        counts[logical] = int(n)
    return counts


def upgrade_plan(migration_context) -> list[str]:
    """The revisions this run applies, in order (empty unless it is an upgrade)."""
    fn = migration_context.opts.get("fn")
    if getattr(fn, "__name__", "") != "upgrade":
        return []
    script = context.script
    heads = migration_context.get_current_heads()
    destination = context.get_revision_argument() or "heads"
    revisions = script.iterate_revisions(destination, heads or "base")
    return [r.revision for r in reversed(list(revisions)) if r.revision not in heads]


def after_commit_indexes(connection, heads) -> dict[str, str]:
    """name → definition of every index a revision up to `heads` builds after the commit
    (its `after_commit(dialect)`): CREATE INDEX CONCURRENTLY on PostgreSQL."""
    wanted = {}
    if not heads:
        return wanted
    for script in context.script.iterate_revisions(heads, "base"):
        after = getattr(script.module, "after_commit", None)
        if after is not None:
            wanted.update(after(connection.dialect.name))
    return wanted


def missing_indexes(connection, wanted: dict[str, str]) -> dict[str, bool]:
    """The wanted indexes not ready: name → True when an invalid one (a build that was cut off) is in the way."""
    missing = {}
    for name in wanted:
        valid = connection.exec_driver_sql(
            "SELECT i.indisvalid FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
            "WHERE c.relname = %(n)s AND c.relnamespace = current_schema()::regnamespace", {"n": name}).scalar()
        if valid is not True:
            missing[name] = valid is False
    return missing


def build_after_commit(connection, heads, tracker, concurrently=True):
    """Build the revisions' after-commit indexes that are missing: CONCURRENTLY, outside any
    transaction (readers and writers go on; the query that would use one scans meanwhile), or,
    in a dry run, inside its transaction."""
    wanted = after_commit_indexes(connection, heads)
    if not wanted:
        return
    missing = missing_indexes(connection, wanted)
    if not missing:
        return
    if concurrently:
        connection.exec_driver_sql("SET maintenance_work_mem = '256MB'")
    for name, invalid in missing.items():
        if concurrently and invalid and connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_progress_create_index WHERE index_relid = to_regclass(%(n)s)",
                {"n": name}).scalar():
            logger.info("  index %s is being built by another session: left to it", name)
            continue
        started = time.monotonic()
        how = "CREATE INDEX CONCURRENTLY" if concurrently else "CREATE INDEX"
        if concurrently:
            logger.info("  after the commit: %s %s (the app may run meanwhile; its search scans until it is ready)",
                        how, name)
        else:
            logger.info("  dry run: %s %s inside the transaction, to time what the real run builds after its commit",
                        how, name)
        tracker.notify("index_started", name)
        if invalid:  # a concurrent build that was cut off leaves an invalid index: start again
            connection.exec_driver_sql(f"DROP INDEX {'CONCURRENTLY ' if concurrently else ''}IF EXISTS {name}")
        connection.exec_driver_sql(f"{how} IF NOT EXISTS {name} {wanted[name]}")
        elapsed = time.monotonic() - started
        logger.info("  index %s ready at %s UTC (%.1fs)", name, time.strftime("%H:%M:%S", time.gmtime()), elapsed)
        tracker.notify("index_done", name, elapsed)
    if concurrently:
        connection.exec_driver_sql("RESET maintenance_work_mem")


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def set_timeouts():
    """On PostgreSQL: fail fast rather than queue behind the app's locks; bound a runaway statement.

    The upgrade writes large text (archived rows as JSON, the rewritten chats): lz4, where the
    server has it, compresses it several times faster than the default pglz.
    """
    if context.get_context().dialect.name != "postgresql":
        return
    context.execute("SET LOCAL lock_timeout = '60s'")
    context.execute("SET LOCAL statement_timeout = '2h'")
    # Room for the upgrade's big hash joins, sorts and index builds to stay in memory.
    context.execute("SET LOCAL work_mem = '64MB'")
    context.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # JIT compiles each big statement anew (about half a second each here) and gains nothing on
    # statements that run once.
    context.execute("SET LOCAL jit = off")
    if not context.is_offline_mode():
        lz4 = context.get_bind().exec_driver_sql(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar()
        if lz4:
            context.execute("SET LOCAL default_toast_compression = 'lz4'")


def drop_empty_version_table(connection):
    """At base (after `flask db downgrade base`) the database is as it was before Alembic: no
    alembic_version table either, so that a downgraded legacy database equals the original (D8)."""
    if "alembic_version" not in sqlalchemy.inspect(connection).get_table_names():
        return
    if connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 0:
        connection.exec_driver_sql("DROP TABLE alembic_version")


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        set_timeouts()
        context.run_migrations()
    # After the COMMIT: the indexes built without blocking the app (see build_after_commit).
    destination = context.get_revision_argument()
    if destination and context.get_context().opts.get("fn").__name__ == "upgrade":
        dialect = context.get_context().dialect
        for script in context.script.iterate_revisions(destination, "base"):
            after = getattr(script.module, "after_commit", None)
            for name, definition in (after(dialect.name) if after else {}).items():
                context.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}")


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()
    observer = config.attributes.get(OBSERVER)
    dry_run = context.get_x_argument(as_dictionary=True).get("dry-run", "").lower() in ("1", "true", "yes")

    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Table rebuilds (SQLite's way to alter a table) need foreign keys off, and the pragma
            # only works outside a transaction: set it on the raw connection before BEGIN.
            # Franko's engine emits BEGIN itself (franko/database.py), so DDL is transactional
            # here too and a failed upgrade leaves the file as it was.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            conf_args.setdefault("transactional_ddl", True)
        # A dry run opens the transaction itself: Alembic then runs every revision inside it and
        # leaves ending it to us (a rollback).
        outer = connection.begin() if dry_run else None
        try:
            trackers = []  # made once the plan is known, below
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                on_version_apply=lambda *args, **kw: trackers[0].version_applied(*args, **kw),
                **conf_args
            )
            plan = upgrade_plan(context.get_context())
            tracker = Tracker(observer, plan, legacy_row_counts(connection) if plan else {})
            trackers.append(tracker)
            context.get_context().opts["franko_tracker"] = tracker  # h.progress() opens its steps
            sqlalchemy.event.listen(connection, "after_cursor_execute", tracker.executed)

            started = time.monotonic()
            with context.begin_transaction():
                set_timeouts()
                context.run_migrations()
                drop_empty_version_table(connection)
                tracker.finish()
                window = time.monotonic() - started  # a dry run's: what the real run would hold locked
                if dry_run:  # what the real run builds after its commit, built here to be timed
                    build_after_commit(connection, context.get_context().get_current_heads(), tracker,
                                       concurrently=False)
                tracker.notify("before_end", connection)
            sqlalchemy.event.remove(connection, "after_cursor_execute", tracker.executed)
            if outer is not None:
                outer.rollback()
                tracker.notify("ended", window, False)
                logger.info("  dry run: rolled back; nothing was changed (the upgrade's transaction took %.1fs)", window)
                return
            window = time.monotonic() - started  # up to the COMMIT's return
            tracker.notify("ended", window, True)
            logger.info("  committed: the upgrade's transaction (the locked window) took %.1fs", window)
            if getattr(context.get_context().opts.get("fn"), "__name__", "") in ("upgrade", "downgrade") \
                    and connection.dialect.name == "postgresql":
                heads = context.get_context().get_current_heads()
                connection.commit()
                with connectable.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
                    build_after_commit(autocommit, heads, tracker)
        finally:
            if outer is not None and outer.is_active:
                outer.rollback()
            if connection.dialect.name == "sqlite":
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
