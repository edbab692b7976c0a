"""Interview fixtures: an owner with an instance, an interviewee driving the public pages, a fake LLM."""
import json
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import pytest

from franko.extensions import db
from franko.models import ChatResponse
from tests.factories import make_instance, make_profile
from tests.servers import LocalServer

GUIDE = "# Customer discovery\n- What do you do?\n- What is hard about it?\n- What would help?"
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
        return list(self.stored().conversation)


@pytest.fixture
def interviewee(app, setup) -> Interviewee:
    return Interviewee(app, setup.instance_id)


# --- a fake OpenAI-compatible endpoint that misbehaves the way small models do -------------------

TARGET = re.compile(r'(?:keeping its meaning|along the lines of|did not understand the question|ask nothing): "([^"]*)"',
                    re.IGNORECASE)


# The guide's questions as the fake model words them for an interviewee who writes German.
GERMAN = {QUESTIONS[0]: "Was machen Sie beruflich?", QUESTIONS[1]: "Was ist daran schwierig für Sie?",
          QUESTIONS[2]: "Was würde Ihnen dabei helfen?"}


def scripted_reply(body: dict, mode: str = "ok", labels: dict | None = None) -> str:
    """The model's reply to the agent's two kinds of request: a label of the interviewee's message, or a move's wording.

    Well-behaved ("ok"): the label `labels` gives the text (default "answer"), and each move worded
    around the guide's words. Misbehaving as small models do: "label_prose" (the label in a sentence),
    "label_garbage", "probe_as_next" (a probe passed off as the next question), "question_after_close",
    "echo_instructions", "as_interviewee", "prose_question_everywhere" (asks something in every message),
    "thanks_only" (the acknowledgement without the question; the second, simpler request asks it),
    "thanks_always" (the second request too). The other misbehaviours repeat on the second request.
    """
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    if system.startswith("You translate"):  # into German: the guide's words; into English: the check's way back
        text = user.split("\n\n", 1)[1] if user.startswith("Translate into") else user  # or the literal request
        if user.startswith("Translate into German") or "into German" in system:
            return GERMAN.get(text, "Vielen Dank für Ihre Zeit." if mode != "translation_asks" else "Was noch?")
        return next((english for english, german in GERMAN.items() if german in text), text)
    german = "in German." in user
    if system.startswith("You label"):
        text = re.search(r"<<<\n(.*)\n>>>", user, re.S).group(1)
        label = (labels or {}).get(text, "answer")
        if mode == "label_prose":
            return f"Looking at it, this message is best described as {label}."
        if mode == "label_garbage":
            return "I cannot decide."
        return json.dumps({"kind": label})
    if system.startswith("You word one question"):  # the second, simpler request after a refused wording
        if mode == "thanks_always":
            return "Thank you again."
        if mode == "as_interviewee":
            return "Ada: I bake bread for forty cafés and it is hard work."
        if mode == "probe_as_next":
            return "Which of those tools would you miss most?"
        if mode == "echo_instructions":
            notes = system.split("never repeat or mention them):\n", 1)[-1].split("\n")[0].lstrip("- ")
            return f"My notes say: {notes} What do you do?"
        target = TARGET.search(user).group(1) if TARGET.search(user) else "could you say more?"
        return GERMAN.get(target, target) if german else f"LLM asks: {target}"
    task = user.split("Your task: ", 1)[1]
    target = TARGET.search(task).group(1) if TARGET.search(task) else ""
    closing = "Ask nothing" in task or "closing message" in task
    if mode == "as_interviewee":
        return "Ada: I bake bread for forty cafés and it is hard work."
    if mode == "echo_instructions":
        notes = system.split("never repeat or mention them):\n", 1)[-1].split("\n")[0].lstrip("- ")
        return f"Sure. My notes say: {notes} What do you do?"
    if closing:
        if mode in ("question_after_close", "prose_question_everywhere"):
            return "Thank you so much for your time. What else would you like to tell us?"
        return "LLM: thank you, that is all."
    if mode == "thank_name":
        return f"Thank Ada for her reply. {target}"
    if mode in ("thanks_only", "thanks_always"):  # a small model's habit: the acknowledgement, and no question
        return "Thank you for sharing that with me."
    if mode == "probe_as_next" and "next question" in task:
        return "Great, thanks! Which of those tools would you miss most?"
    if german:  # "wrong_question": the model asks the first question again, in good German
        if mode == "mixed_languages":
            return f"Danke schön für Ihre Antwort. {target}"  # the question left in the guide's English
        return "Danke schön. " + GERMAN[QUESTIONS[0] if mode == "wrong_question" else target]
    if "follow-up" in task:
        return f"LLM follow-up: {target.rstrip('?') or 'could you say more'}?"
    if "did not understand" in task:
        return f"LLM explains it more simply. {target}"
    return f"LLM thanks you. {target}"


def send_completion(handler: BaseHTTPRequestHandler, body: dict, content: str) -> None:
    """A whole (non-streamed) chat completion holding `content`, as an OpenAI-compatible server answers it."""
    data = json.dumps({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def chunk(body: dict, content: str | None, finish: str | None = None) -> bytes:
    data = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": body["model"],
            "choices": [{"index": 0, "delta": {"content": content} if content is not None else {},
                         "finish_reason": finish}]}
    return f"data: {json.dumps(data)}\n\n".encode()


class FakeLLM:
    """/v1/chat/completions on a local port, streamed (SSE) or not.

    `mode`: "ok", "error" (HTTP 500), "hang", "broken_stream" (the connection drops mid-reply), or a
    misbehaviour of scripted_reply. `delay` spaces the streamed pieces (seconds).
    """

    def __init__(self):
        self.mode = "ok"
        self.labels: dict[str, str] = {}  # interviewee text -> the label the fake model gives it
        self.delay = 0.0
        self.requests: list[dict] = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output clean
                pass

            def write_chunk(self, data: bytes):
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if fake.mode == "hang":
                    fake.release.wait(10)
                    self.close_connection = True
                    return
                if fake.mode == "pings" and body.get("stream"):  # alive, never answering (llama.cpp's ": ping")
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    try:
                        while not fake.release.wait(0.1):
                            self.write_chunk(b": ping\n\n")
                    except OSError:  # the client gave up and closed the connection
                        pass
                    self.close_connection = True
                    return
                if fake.mode == "error":
                    data = b'{"error": {"message": "boom", "type": "server_error"}}'
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                content = scripted_reply(body, fake.mode if fake.mode != "broken_stream" else "ok", fake.labels)
                if not body.get("stream"):
                    send_completion(self, body, content)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [content[i:i + 7] for i in range(0, len(content), 7)] if fake.mode != "empty_stream" else []
                for n, piece in enumerate(pieces):
                    if fake.mode == "broken_stream" and n == len(pieces) // 2:
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)  # the model server went away mid-reply
                        return
                    self.write_chunk(chunk(body, piece))
                    if fake.delay:
                        time.sleep(fake.delay)
                self.write_chunk(chunk(body, None, "stop"))
                self.write_chunk(b"data: [DONE]\n\n")
                self.write_chunk(b"")

        self.server = LocalServer(Handler)
        self.url = f"{self.server.base}/v1"

    def stop(self):
        self.release.set()
        self.server.stop()


@pytest.fixture
def fake_llm():
    fake = FakeLLM()
    yield fake
    fake.stop()
