"""Franko: AI interviews for organisations. `create_app` is the table of contents."""
import os

from dotenv import find_dotenv, load_dotenv

# `.env` (in the directory the server or the CLI is started from) is read before the configuration
# classes read the environment, so `gunicorn app:app` finds a SECRET_KEY kept there.
load_dotenv(find_dotenv(usecwd=True))

from flask import Flask  # noqa: E402

from franko import config as config_module  # noqa: E402


# Each part is imported inside the function that registers it: importing any franko module runs this file
# first, so a top-level import of a feature here would import the features before the models they use.


class ConfigError(RuntimeError):
    """A setting production cannot run without; `app.py` prints it as one line and exits."""


def create_app(config_class=None) -> Flask:
    """Build the app: configuration, extensions, the features (each registers its blueprint, jobs, commands), helpers."""
    app = Flask(__name__, instance_relative_config=True)  # templates/ and static/ are the package's own
    app.config.from_object(config_class or default_config())
    configure_database(app)
    configure_outbox(app)
    check_production_settings(app)
    configure_logging(app)
    configure_metrics(app)
    configure_proxy(app)
    register_request_guards(app)  # first: the raw body is checked before anything parses it
    register_extensions(app)
    register_features(app)
    register_commands(app)
    register_template_helpers(app)
    register_shell_context(app)
    return app


def default_config():
    """Development under `flask run --debug` or FLASK_ENV=development, production otherwise."""
    debug = os.environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes")
    return config_module.DevelopmentConfig if debug else config_module.ProductionConfig


def configure_database(app: Flask) -> None:
    """The embedded default: a SQLite file in the instance folder."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "franko.sqlite")


def configure_outbox(app: Flask) -> None:
    """Under `make run` (debug, no mail server) the dev outbox is a file: the worker writes it, the server shows it."""
    if app.debug and not app.testing and not app.config.get("MAIL_SERVER") and not app.config.get("FRANKO_OUTBOX_FILE"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["FRANKO_OUTBOX_FILE"] = os.path.join(app.instance_path, "outbox.jsonl")


def check_production_settings(app: Flask) -> None:
    """Production never runs on a missing or development key, nor builds emailed links on the Host header."""
    if app.testing or app.debug:
        return
    key = app.config.get("SECRET_KEY")
    if not key or key == config_module.DEV_SECRET_KEY:
        raise ConfigError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))') before starting Franko."
        )
    if not app.config.get("FRANKO_BASE_URL"):
        raise ConfigError(
            "FRANKO_BASE_URL is not set. Set it to the address owners reach Franko at "
            "(e.g. https://franko.example.org): emailed links are built on it."
        )


def configure_logging(app: Flask) -> None:
    from franko import logs

    logs.init_app(app)


def configure_metrics(app: Flask) -> None:
    from franko import metrics

    metrics.init_app(app)


def configure_proxy(app: Flask) -> None:
    """Behind FRANKO_PROXY_HOPS proxies, trust that many X-Forwarded-* hops (client address, scheme, host)."""
    hops = app.config.get("FRANKO_PROXY_HOPS") or 0
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def register_extensions(app: Flask) -> None:
    from franko import database, jobs, security
    from franko.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    security.init_app(app)
    jobs.init_app(app)


def register_request_guards(app: Flask) -> None:
    from franko import inputs

    inputs.init_app(app)


def register_features(app: Flask) -> None:
    """Each feature registers its own blueprint, jobs and commands (`<feature>.init_app`), in this order."""
    from franko import (admin, audit, auth, billing, errors, insights, instances, interview, mail, main,
                        notifications, ownerdata, privacy, profile, redaction, responses, webhooks)

    for feature in (errors, main, auth, profile, instances, responses, interview, insights, billing, admin, mail,
                    notifications, webhooks, audit, privacy, redaction, ownerdata):
        feature.init_app(app)


def register_commands(app: Flask) -> None:
    """`flask franko …`: the features added theirs; the database's (backup, upgrade, verify, archive) and the demo's here."""
    from franko.cli import database, demo  # noqa: F401 — importing them adds their commands to franko_cli
    from franko.commands import franko_cli

    app.cli.add_command(franko_cli)


def register_template_helpers(app: Flask) -> None:
    from franko import templating

    templating.init_app(app)


def register_shell_context(app: Flask) -> None:
    """`flask shell` starts with the database and the models imported."""
    import sqlalchemy as sa

    from franko import models
    from franko.extensions import db

    app.shell_context_processor(lambda: {
        "db": db, "sa": sa,
        **{name: getattr(models, name) for name in
           ("Profile", "ChatInstance", "ChatResponse", "LoginSession", "StripeEvent", "LegacyArchive",
                        "WebhookDelivery")},
    })
