"""A local OpenAI-compatible /v1/chat/completions (not streamed) whose reply a test (or the benchmark) writes."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

from tests.servers import LocalServer


class FakeOpenAI:
    """Answers each request with `reply(body)` as the assistant's content, after `latency` seconds.

    `mode` "error" answers HTTP 500; `requests` keeps every request body.
    """

    def __init__(self, reply: Callable[[dict], str] | None = None, latency: float = 0.0):
        self.reply = reply or (lambda body: "{}")
        self.latency = latency
        self.mode = "ok"
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake._lock:
                    fake.requests.append(body)
                if fake.latency:
                    time.sleep(fake.latency)
                if fake.mode == "error":
                    self.send(500, {"error": {"message": "boom", "type": "server_error"}})
                    return
                self.send(200, {
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": fake.reply(body)}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

            def send(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = LocalServer(Handler)
        self.url = f"{self.server.base}/v1"

    def config(self) -> dict:
        """The app settings that point Franko's LLM at this endpoint."""
        return {"OPENAI_BASE_URL": self.url, "OPENAI_API_KEY": "test", "FRANKO_LLM_MODEL": "fake-model",
                "FRANKO_LLM_TIMEOUT": 5}

    def stop(self):
        self.server.stop()


def prompt_of(body: dict) -> tuple[str, str]:
    """(system, user) of a request."""
    return body["messages"][0]["content"], body["messages"][-1]["content"]
