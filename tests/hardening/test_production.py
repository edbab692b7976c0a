"""Running in production: `.env` read first, logs on stderr with a request id, /healthz, the shell
context, and CLI errors as one clear line."""
import logging
import os
import subprocess
import sys

import pytest

from franko.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(code_or_args, cwd, env_extra=None, python=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "FLASK_", "FRANKO_", "DATABASE_URL"))}
    env["PYTHONPATH"] = ROOT
    env.update(env_extra or {})
    args = [sys.executable, "-c", code_or_args] if python else code_or_args
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def write_env(directory, **values):
    (directory / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def test_dotenv_is_read_before_the_configuration_is_built(tmp_path):
    """`gunicorn app:app` with SECRET_KEY only in `.env` (where the server starts) must start."""
    write_env(tmp_path, SECRET_KEY="from-the-dot-env-file", FRANKO_BASE_URL="https://f.example.org",
              DATABASE_URL=f"sqlite:///{tmp_path}/f.sqlite")
    result = run("import app; print(app.app.config['SECRET_KEY'], app.app.config['FRANKO_BASE_URL'])", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["from-the-dot-env-file", "https://f.example.org"]


def test_production_logs_one_line_per_request_with_its_id_on_stderr(tmp_path):
    write_env(tmp_path, SECRET_KEY="s3cret", FRANKO_BASE_URL="https://f.example.org",
              DATABASE_URL=f"sqlite:///{tmp_path}/f.sqlite")
    code = ("import app; c = app.app.test_client(); "
            "r = c.get('/auth/login', headers={'X-Request-ID': 'req-12345'}); print(r.headers['X-Request-ID']); "
            "r = c.get('/healthz'); print(r.headers['X-Request-ID']); "
            "app.app.logger.info('admin audit line')")
    result = run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    given, generated = result.stdout.split()
    assert given == "req-12345" and len(generated) == 32
    lines = result.stderr.splitlines()
    assert any("INFO [req-12345] franko.requests: GET /auth/login 200" in line for line in lines), lines
    assert any(f"[{generated}]" in line and "GET /healthz" in line for line in lines), lines
    assert any("INFO [-] franko: admin audit line" in line for line in lines), lines


def test_tokens_in_paths_never_reach_the_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="franko"):
        client.get("/auth/link/secret-token-value")
    assert "GET /auth/link/<token> 400" in caplog.text
    assert "secret-token-value" not in caplog.text


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "down": [], "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path}/no/such/directory/f.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_flask_shell_starts_with_the_models(app):
    with app.app_context():
        context = app.make_shell_context()
    for name in ("db", "Profile", "ChatInstance", "ChatResponse", "LoginSession"):
        assert name in context
    assert context["db"] is db


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FRANKO_BASE_URL"])
def test_cli_without_a_required_setting_says_so_in_one_line(tmp_path, missing):
    settings = {"SECRET_KEY": "s3cret", "FRANKO_BASE_URL": "https://f.example.org",
                "DATABASE_URL": f"sqlite:///{tmp_path}/f.sqlite"}
    del settings[missing]
    result = run([sys.executable, "-m", "flask", "--app", "app", "franko", "login-link", "a@example.com"],
                 tmp_path, settings, python=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # one line
    assert result.stderr.startswith(f"Franko cannot start: {missing} is not set.")


def test_login_link_is_built_on_the_base_url(app, runner):
    from tests.factories import make_profile

    app.config["FRANKO_BASE_URL"] = "https://franko.example.org/"
    with app.app_context():
        make_profile(email="a@example.com")
    result = runner.invoke(args=["franko", "login-link", "a@example.com"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("https://franko.example.org/auth/link/")
