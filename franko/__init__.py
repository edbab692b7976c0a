"""Franko: AI interviews for organisations. `create_app` is the table of contents."""
import os

from dotenv import load_dotenv
from flask import Flask

from franko import config as config_module


def create_app(config_class=None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI, template helpers."""
    load_dotenv()
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    app.config.from_object(config_class or default_config())
    configure_database(app)
    check_secret_key(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_template_helpers(app)
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


def check_secret_key(app: Flask) -> None:
    """Production never runs on a missing or development key."""
    if app.testing or app.debug:
        return
    key = app.config.get("SECRET_KEY")
    if not key or key == config_module.DEV_SECRET_KEY:
        raise RuntimeError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))') before starting Franko."
        )


def register_extensions(app: Flask) -> None:
    from franko import database
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


def register_blueprints(app: Flask) -> None:
    from franko import admin, auth, billing, errors, instances, interview, main, profile, responses

    app.register_blueprint(errors.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(profile.bp, url_prefix="/profile")
    app.register_blueprint(instances.bp, url_prefix="/instances")
    app.register_blueprint(responses.bp)  # /instances/<id>/responses and /responses/<id>
    app.register_blueprint(interview.bp, url_prefix="/i")  # public, no login
    app.register_blueprint(billing.bp, url_prefix="/billing")
    app.register_blueprint(admin.bp, url_prefix="/admin")


def register_commands(app: Flask) -> None:
    from franko.cli import franko_cli

    app.cli.add_command(franko_cli)


def register_template_helpers(app: Flask) -> None:
    from franko import templating

    templating.init_app(app)
