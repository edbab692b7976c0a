"""Entry point: `flask --app app …` and `gunicorn app:app` find the app here."""
import sys

from franko import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:  # one clear line, not a traceback, for the server and every CLI command
    sys.exit(f"Franko cannot start: {error}")
