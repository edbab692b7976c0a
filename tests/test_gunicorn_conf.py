"""gunicorn.conf.py: read by a plain `gunicorn app:app`, threaded workers, a timeout above the LLM's."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def settings(**env) -> dict:
    """The settings gunicorn itself reads from the project root for `gunicorn app:app`."""
    code = ("import sys; sys.argv = ['gunicorn', 'app:app'];"
            "from gunicorn.app.wsgiapp import WSGIApplication;"
            "c = WSGIApplication().cfg;"
            "print(c.worker_class_str, c.workers, c.threads, c.timeout)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, **env}).stdout.split()
    return {"worker_class": out[0], "workers": int(out[1]), "threads": int(out[2]), "timeout": int(out[3])}


def test_plain_gunicorn_reads_the_projects_settings():
    cfg = settings(FRANKO_LLM_TIMEOUT="20")
    assert cfg["worker_class"] == "gthread"
    assert cfg["workers"] == 2 * os.cpu_count() + 1 and cfg["threads"] >= 8
    assert cfg["timeout"] > 20


def test_the_timeout_follows_the_llms_and_counts_can_be_set():
    assert settings(FRANKO_LLM_TIMEOUT="120")["timeout"] > 120
    assert settings(WEB_CONCURRENCY="3", GUNICORN_THREADS="4") | {"timeout": 0} == {
        "worker_class": "gthread", "workers": 3, "threads": 4, "timeout": 0}
