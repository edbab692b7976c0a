"""Logs cannot be forged: whatever a visitor types (an address, a path), one event is one line; JSON on demand."""
import json
import logging

import pytest

from tests.conftest import make_app, new_database
from franko.extensions import db

FAKE = "2026-01-01 00:00:00,000 INFO [-] franko: admin granted to mallory@example.com"


def app_with(tmp_path, **config):
    url, _ = new_database("sqlite", tmp_path)
    app = make_app(url, **config)
    with app.app_context():
        db.create_all()
    return app


def test_a_forgot_password_address_with_cr_lf_stays_on_its_line(tmp_path, capsys):
    client = app_with(tmp_path).test_client()
    assert client.post("/auth/forgot", data={"email": f"x@example.com\r\n{FAKE}"}).status_code == 302
    lines = capsys.readouterr().err.splitlines()
    assert not any(line.startswith(FAKE) for line in lines)
    asked = [line for line in lines if "password reset asked for" in line]
    assert len(asked) == 1 and "x@example.com\\r\\n2026-01-01" in asked[0]


def test_a_path_with_cr_lf_and_other_controls_stays_on_its_line(tmp_path, capsys):
    client = app_with(tmp_path).test_client()
    assert client.get("/nothing%0D%0A" + FAKE.replace(" ", "%20") + "%E2%80%A8%1B%5B31m%09").status_code == 404
    lines = capsys.readouterr().err.splitlines()
    assert not any(line.startswith(FAKE) for line in lines)
    request = [line for line in lines if "GET /nothing" in line]
    assert len(request) == 1
    assert "\\r\\n2026-01-01" in request[0] and "\\u2028\\x1b[31m\\t 404" in request[0]


def test_a_traceback_is_one_line(tmp_path, capsys):
    app_with(tmp_path)
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        logging.getLogger("franko.test").exception("it broke")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" in err and "ValueError: first\\nsecond" in err


@pytest.mark.parametrize("typed", [f"x@example.com\r\n{FAKE}", "x@example.com\u2028" + FAKE])
def test_json_format_writes_one_object_a_line(tmp_path, capsys, typed):
    client = app_with(tmp_path, FRANKO_LOG_FORMAT="json").test_client()
    try:
        client.post("/auth/forgot", data={"email": typed})
        try:
            raise ValueError("first\nsecond")
        except ValueError:
            logging.getLogger("franko.test").exception("it broke")
        lines = capsys.readouterr().err.splitlines()
        records = [json.loads(line) for line in lines]  # every line is one whole JSON object
        asked = [r for r in records if r["message"].startswith("password reset asked for")]
        assert len(asked) == 1 and typed in asked[0]["message"]
        assert {"time", "level", "logger", "request_id"} <= set(asked[0])
        broke = [r for r in records if r["message"] == "it broke"]
        assert "ValueError: first\nsecond" in broke[0]["exc_info"]
        assert all("\u2028" not in line for line in lines)
    finally:
        app_with(tmp_path)  # the handler is per process: back to the text format for the next tests


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_gunicorns_own_lines_are_escaped_too(tmp_path, log_format):
    """Under a real gunicorn, its access log on and showing the decoded path (%(U)s): CR/LF stay escapes.

    (gunicorn itself refuses control characters in headers, and its default access line shows the
    path as sent, percent-encoded.)"""
    import http.client

    from tests.conftest import free_port
    from tests.operating.servers import Gunicorn

    port = free_port()
    server = Gunicorn(tmp_path, port, GUNICORN_ACCESS_LOG="-", FRANKO_LOG_FORMAT=log_format,
                      GUNICORN_CMD_ARGS="--access-logformat 'access %(U)s %(s)s'")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/evil%0D%0A" + FAKE.replace(" ", "%20") + "%09")
        assert conn.getresponse().status == 404
        conn.close()
    finally:
        server.stop()
    lines = server.lines()
    assert not any(line.startswith(FAKE) for line in lines)
    access = [line for line in lines if "access /evil" in line]
    assert len(access) == 1 and "/evil\\r\\n2026-01-01" in access[0] and "\\t 404" in access[0]
    assert any("Booting worker" in line for line in lines)  # gunicorn's error log, in the same format
    if log_format == "json":
        assert all(json.loads(line) for line in lines)
