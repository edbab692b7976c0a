"""A real HTTP server on a free loopback port, in a thread: what the tests' fakes (Stripe, the LLMs, a webhook receiver) run on."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    """Serves `handler` on 127.0.0.1 (a port of its own) until `stop()`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.http.daemon_threads = True
        self.port = self.http.server_port
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self._thread.join()
