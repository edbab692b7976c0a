"""Interview fixtures: an owner with an instance, an interviewee driving the public pages, a fake LLM."""
import json
import re
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from franko.extensions import db
from franko.models import ChatResponse
from tests.factories import make_instance, make_profile

GUIDE = "# Customer discovery\nWhat do you do?\n- What is hard about it?\n- What would help?"
QUESTIONS = ["What do you do?", "What is hard about it?", "What would help?"]
ORGANISATION = "Acme Bakeries"
DESCRIPTION = "We bake bread for 40 cafés in Leeds."


@dataclass
class Setup:
    owner_id: str
    instance_id: uuid.UUID


def make_setup(credits: int | None = None, guide: str = GUIDE) -> Setup:
    """An owner (free plan, optionally with `credits` responses left) with one instance (inside an app context)."""
    owner = make_profile(organisation_name=ORGANISATION, organisation_description=DESCRIPTION)
    if credits is not None:
        owner.total_responses_available = credits
        db.session.commit()
    instance = make_instance(owner, guide=guide)
    return Setup(owner.user_id, instance.id)


@pytest.fixture
def setup(app) -> Setup:
    with app.app_context():
        return make_setup()


class Interviewee:
    """One browser: its own test client (cookies), going through the public pages."""

    def __init__(self, app, instance_id, client=None):
        self.app = app
        self.client = client or app.test_client()
        self.instance_id = instance_id
        self.chat_path: str | None = None

    @property
    def start_path(self) -> str:
        return f"/i/{self.instance_id}"

    @property
    def response_id(self) -> uuid.UUID:
        return uuid.UUID(self.chat_path.rsplit("/", 1)[1])

    def csrf(self, path: str) -> str | None:
        """The CSRF token of the form on `path` (None when CSRF is off)."""
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', self.client.get(path).data)
        return match.group(1).decode() if match else None

    def start(self, first_name="Ada", second_name="Lovelace", email="ada@example.com", consent=True, **extra):
        data = {"first_name": first_name, "second_name": second_name, "email": email, **extra}
        if consent:
            data["consent"] = "y"
        reply = self.client.post(self.start_path, data=data)
        if reply.status_code == 302:
            self.chat_path = reply.headers["Location"].split("#")[0]
        return reply

    def answer(self, text: str, as_json: bool = False, headers=None, **extra):
        headers = dict(headers or {})
        if as_json:
            headers["Accept"] = "application/json"
        return self.client.post(self.chat_path, data={"answer": text, **extra}, headers=headers)

    def chat(self):
        return self.client.get(self.chat_path)

    def stored(self) -> ChatResponse:
        with self.app.app_context():
            response = db.session.get(ChatResponse, self.response_id)
            db.session.expunge(response)
            return response

    def messages(self) -> list[dict]:
        return json.loads(self.stored().messages_json)


@pytest.fixture
def interviewee(app, setup) -> Interviewee:
    return Interviewee(app, setup.instance_id)


# --- a fake OpenAI-compatible endpoint ----------------------------------------------------------

def scripted_reply(body: dict) -> str:
    """A well-behaved model: one question per answer, in order, then the closing thanks."""
    answers = sum(1 for m in body["messages"] if m["role"] == "user" and not m["content"].startswith("(The interviewee"))
    if answers >= len(QUESTIONS):
        return json.dumps({"message": "LLM: thank you, that is all.", "question": None, "done": True})
    return json.dumps({"message": f"LLM asks: {QUESTIONS[answers]}", "question": answers + 1, "done": False})


class FakeLLM:
    """/v1/chat/completions on a local port; `mode` is "ok", "error" (HTTP 500) or "hang"."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[dict] = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if fake.mode == "hang":
                    fake.release.wait(10)
                    return
                if fake.mode == "error":
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "boom", "type": "server_error"}}')
                    return
                payload = {
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": scripted_reply(body)}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def fake_llm():
    fake = FakeLLM()
    yield fake
    fake.stop()
