"""A real gunicorn (`gunicorn app:app` with the project's gunicorn.conf.py) with production settings, for the
operating tests; its stdout and stderr go to a file the test reads."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLEARED = ("TEST_DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "MAIL_SERVER", "FRANKO_LOG_FORMAT",
           "PROMETHEUS_MULTIPROC_DIR", "OPENAI_BASE_URL", "OPENAI_API_KEY", "FRANKO_LLM_MODEL")


class Gunicorn:
    def __init__(self, tmp_path, port: int, **env):
        self.port, self.log = port, tmp_path / f"gunicorn-{port}.log"
        base = {k: v for k, v in os.environ.items() if k not in CLEARED}
        base.update({"SECRET_KEY": "k" * 32, "FRANKO_BASE_URL": "https://franko.example.org", "FLASK_DEBUG": "0",
                     "DATABASE_URL": f"sqlite:///{tmp_path}/franko.sqlite", "GUNICORN_BIND": f"127.0.0.1:{port}",
                     "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
                     "FRANKO_QUEUE_FILE": str(tmp_path / "jobs.sqlite")})
        base.update(env)
        with open(self.log, "w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "app:app"], cwd=ROOT, env=base,
                                            stdout=out, stderr=out)
        try:
            wait_for_port(port, self.process, self.log)
            self.wait_for_a_worker()
        except BaseException:
            self.stop()
            raise

    def wait_for_a_worker(self) -> None:
        """The port opens with the master; a worker answers once it has imported the app (slow on a busy machine)."""
        for _ in range(10):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request("GET", "/no-such-page")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.5)
            finally:
                conn.close()
        raise AssertionError(f"no gunicorn worker answers: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


def wait_for_port(port: int, process: subprocess.Popen, log) -> None:
    for _ in range(300):
        assert process.poll() is None, f"the server stopped: {log.read_text()}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}: {log.read_text()}")
