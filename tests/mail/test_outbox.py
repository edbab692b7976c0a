"""Without MAIL_SERVER, emails go to the log and the development outbox page, so every flow works."""
import logging

from franko.mail.services import outbox


def test_emails_without_a_mail_server_go_to_the_log_and_the_outbox(client, app, auth, caplog):
    with caplog.at_level(logging.INFO, logger="franko"):
        auth.signup(email="new@example.com")
    assert "email (no MAIL_SERVER: not sent) to new@example.com: Confirm your Franko email" in caplog.text
    assert "/auth/verify/" in caplog.text
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "Confirm your Franko email" in page and "To new@example.com" in page
    assert 'href="http://localhost/auth/verify/' in page  # the link, ready to click
    with app.app_context():
        assert len(outbox()) == 1


def test_the_outbox_is_not_there_with_a_mail_server(client, app):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    assert client.get("/dev/outbox").status_code == 404


def test_the_outbox_is_not_there_in_production(tmp_path, monkeypatch):
    from franko import create_app
    from franko.config import ProductionConfig

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = type("C", (ProductionConfig,), {"SECRET_KEY": "a-real-secret", "FRANKO_BASE_URL": "https://f.example.org",
                                             "MAIL_SERVER": None, "SESSION_COOKIE_SECURE": False,
                                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert create_app(config).test_client().get("/dev/outbox").status_code == 404
