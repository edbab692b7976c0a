"""Entry point: `flask --app app …` and `gunicorn app:app` find the app here."""
from franko import create_app

app = create_app()
