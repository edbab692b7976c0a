import logging
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

    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Table rebuilds (SQLite's way to alter a table) need foreign keys off, and the pragma
            # only works outside a transaction: set it on the raw connection before BEGIN.
            # Franko's engine emits BEGIN itself (franko/database.py), so DDL is transactional
            # here too and a failed upgrade leaves the file as it was.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            conf_args.setdefault("transactional_ddl", True)
        try:
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                **conf_args
            )

            with context.begin_transaction():
                set_timeouts()
                context.run_migrations()
                drop_empty_version_table(connection)
        finally:
            if connection.dialect.name == "sqlite":
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
