"""gunicorn's settings, read by a plain `gunicorn app:app` run from the project root.

Threaded workers (gthread): an interview turn waits seconds on the LLM while using no CPU, so each
worker process serves many interviewees at once in threads, and one slow LLM call never holds the
others back. Each setting can be overridden from the environment or the command line.
"""
import multiprocessing
import os

from gunicorn import glogging

_cpus = multiprocessing.cpu_count()
_llm_timeout = float(os.environ.get("FRANKO_LLM_TIMEOUT", 20))

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
# Processes for the CPU work (templates, SQL), threads for the waiting (the LLM, the database).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cpus + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 32))
# Above the LLM's: a turn may wait twice FRANKO_LLM_TIMEOUT for a streamed reply (then it falls back
# to the default agent); such a turn is never killed as a hung worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", _llm_timeout * 2 + 30))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # e.g. "-" for stdout; off by default
# No control socket ($HOME/.gunicorn/gunicorn.ctl, for gunicornc): systemd runs the server
# (deploy/systemd: reload is HUP, stop is TERM), and two servers on one machine would share the path.
control_socket_disable = True


class Logger(glogging.Logger):
    """gunicorn's own lines (worker starts, its errors, the access log) are one line each, escaped like
    the app's (FRANKO_LOG_FORMAT=json: JSON objects)."""

    def setup(self, cfg):
        super().setup(cfg)
        from franko.logs import escape_handlers

        escape_handlers((self.error_log, self.access_log), os.environ.get("FRANKO_LOG_FORMAT", "text"))


logger_class = Logger

# Metrics (franko/metrics.py): every worker process writes its counts to files in this directory and
# /metrics sums them. Set PROMETHEUS_MULTIPROC_DIR to choose it (systemd: RuntimeDirectory); otherwise
# a fresh temporary one. It is set here, before any worker imports prometheus_client.
_temporary_metrics_dir = None  # made here, so removed when gunicorn exits
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _temporary_metrics_dir = tempfile.mkdtemp(prefix="franko-metrics-")


def on_starting(server):
    """The files of a previous run's processes are removed (a worker's, e.g. `flask franko worker`, stay)."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        pid = name.removesuffix(".db").rsplit("_", 1)[-1]
        if name.endswith(".db") and pid.isdigit() and not _alive(int(pid)):
            os.remove(os.path.join(directory, name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def child_exit(server, worker):
    """A worker that ended (restarted, killed): its live gauges leave the sums; its counters stay counted."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """The temporary metrics directory made above goes with the server (a chosen one stays)."""
    if _temporary_metrics_dir:
        import shutil

        shutil.rmtree(_temporary_metrics_dir, ignore_errors=True)
