"""The app starts, serves its pages and refuses to run in production without a secret key."""
import pytest

from franko import create_app
from franko.config import ProductionConfig


def test_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Interviews that run themselves" in response.data


def test_signup_then_home(client, auth):
    response = auth.signup()
    assert response.status_code == 302
    home = client.get("/")
    assert b"Responses this period" in home.data
    assert b"0</strong> of 10 used" in home.data


def test_missing_page_is_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"couldn&#39;t find that page" in response.data


def test_production_without_secret_key_refuses_to_start(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = type("C", (ProductionConfig,), {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(config)


def test_production_starts_with_a_secret_key_from_the_environment(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = type("C", (ProductionConfig,), {"SECRET_KEY": "a-real-secret-from-the-environment",
                                             "FRANKO_BASE_URL": "https://franko.example.org",
                                             "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert create_app(config).config["SECRET_KEY"] == "a-real-secret-from-the-environment"


def test_production_without_a_base_url_refuses_to_start(monkeypatch):
    """Emailed links are built on FRANKO_BASE_URL, never on the Host header a client sends."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = type("C", (ProductionConfig,), {"SECRET_KEY": "a-real-secret", "FRANKO_BASE_URL": None,
                                             "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="FRANKO_BASE_URL is not set"):
        create_app(config)


def test_production_refuses_the_development_key(monkeypatch):
    from franko.config import DEV_SECRET_KEY

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = type("C", (ProductionConfig,), {"SECRET_KEY": DEV_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(config)


@pytest.mark.parametrize("given,expected", [
    ("postgres://u:p@db:5432/franko", "postgresql+psycopg://u:p@db:5432/franko"),
    ("postgresql://u@db/franko", "postgresql+psycopg://u@db/franko"),
    ("postgresql+psycopg://u@db/franko", "postgresql+psycopg://u@db/franko"),
    ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
])
def test_database_url_accepts_both_postgres_spellings(monkeypatch, given, expected):
    from franko.config import database_url

    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url(None) == expected


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    from franko.config import DevelopmentConfig

    monkeypatch.setenv("FLASK_DEBUG", "1")
    config = type("C", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": None})
    app = create_app(config)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + app.instance_path + "/franko.sqlite"
