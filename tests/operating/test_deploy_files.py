"""deploy/systemd: units systemd accepts, running the documented commands, stopped gently within their grace."""
import configparser
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNITS = os.path.join(ROOT, "deploy", "systemd")
VENV_BIN = os.path.dirname(sys.executable)


def unit(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(os.path.join(UNITS, name))
    return parser["Service"]


def test_the_units_run_the_documented_commands(tmp_path):
    web, worker = unit("franko-web.service"), unit("franko-worker.service")
    assert web["ExecStart"].endswith("/gunicorn app:app")
    assert worker["ExecStart"].endswith("/flask --app app franko worker")
    assert web["WorkingDirectory"] == worker["WorkingDirectory"] and web["EnvironmentFile"] == worker["EnvironmentFile"]
    assert worker["KillSignal"] == web["KillSignal"] == "SIGTERM"
    # systemd waits longer than the worker's grace (FRANKO_WORKER_GRACE, once the worker has one; 60 s
    # until then) and than gunicorn's graceful_timeout before it kills.
    from franko.config import Config

    grace = float(getattr(Config, "FRANKO_WORKER_GRACE", 60))
    assert int(worker["TimeoutStopSec"]) > grace
    code = "import runpy; print(runpy.run_path('gunicorn.conf.py')['graceful_timeout'])"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}  # the config makes no directory of its own
    graceful = int(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                                  check=True).stdout)
    assert int(web["TimeoutStopSec"]) > graceful


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` on the units, /opt/franko pointing at this checkout's virtualenv."""
    opt = tmp_path / "opt"
    (opt / ".venv").mkdir(parents=True)
    (opt / ".venv" / "bin").symlink_to(VENV_BIN)
    names = []
    for name in ("franko-web.service", "franko-worker.service"):
        with open(os.path.join(UNITS, name)) as source:
            (tmp_path / name).write_text(source.read().replace("/opt/franko", str(opt)))
        names.append(str(tmp_path / name))
    result = subprocess.run(["systemd-analyze", "verify", *names], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_worker_command_exists():
    env = {**os.environ, "FLASK_DEBUG": "1"}
    result = subprocess.run([os.path.join(VENV_BIN, "flask"), "--app", "app", "franko", "worker", "--help"],
                            cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
