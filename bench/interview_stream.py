"""Benchmark: streamed interview turns through a plain `gunicorn app:app`, the LLM a local endpoint streaming over 2 s.

50 interviewees at once, each through the intake and then 4 answers sent as the page sends them
(Accept: text/event-stream). Measured per turn: the whole turn (answer sent -> `done` event), the
time to the first streamed token, errors, and how many replies came from the model (not the
fallback). The endpoint's own times are measured first, with the same 50 streams at once and no
app in between. Run by hand, never by pytest:

    .venv/bin/python bench/interview_stream.py [--people 50] [--turns 4] [--reply-seconds 2]

It creates its own PostgreSQL database on 127.0.0.1:5432 (user postgres), starts the fake endpoint
and gunicorn (reading gunicorn.conf.py) on free local ports, and drops the database at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from bench.interview_roundtrip import PG, create_schema, free_port  # noqa: E402

QUESTIONS = ["What do you do?", "What is the hardest part of it?", "What have you tried?", "What would help?",
             "Anything else?"]
GUIDE = "# Bench\n\nA short study.\n\n> Be brief.\n\n" + "\n".join(f"- {q}\n  - Probe: why?" for q in QUESTIONS)
ANSWER = "We bake bread for forty cafés in Leeds and deliver every morning."
PIECES = 20
DEADLINE_SECONDS = 600


# --- the fake endpoint (its own process) ------------------------------------------------------

def serve_llm(port: int, reply_seconds: float) -> None:
    """An OpenAI-compatible /v1/chat/completions that streams a well-formed JSON reply over `reply_seconds`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answers = sum(1 for m in body["messages"] if m["role"] == "user" and not m["content"].startswith("(The"))
            if answers >= len(QUESTIONS):
                reply = {"message": "Thank you, that is all.", "question": None, "done": True}
            else:
                reply = {"message": f"Thanks. {QUESTIONS[answers]}", "question": answers + 1, "done": False}
            content = json.dumps(reply)
            size = -(-len(content) // PIECES)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for n in range(PIECES):
                time.sleep(reply_seconds / PIECES)
                piece = content[n * size:(n + 1) * size]
                chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.write(b"data: [DONE]\n\n")
            self.write(b"")

        def write(self, data: bytes):
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # 50 clients connect at once

        def handle_error(self, request, client_address):
            pass  # a client hanging up (gunicorn stopping at the end) is no news

    server = Server(("127.0.0.1", port), Handler)
    server.serve_forever()


# --- measuring ------------------------------------------------------------------------------------

def read_stream(response, began: float) -> tuple[float | None, dict | None]:
    """Reads an SSE body: (seconds from `began` to the first token event, the `done` event's data)."""
    first, done, event = None, None, None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            if first is None and event in ("token", None) and line != "data: [DONE]":
                first = time.perf_counter() - began
            if event == "done":
                done = json.loads(line[6:])
    return first, done


def endpoint_alone(url: str, people: int) -> tuple[list[float], list[float], list[float]]:
    """The endpoint's own times, `people` streams at once: whole reply, first chunk, first chunk of the message text.

    The model writes `{"message": "` before the text a reader can see: that is the first token the
    app can stream on, whatever it does.
    """
    from franko.interview.agent import MessageReader

    totals, firsts, visible, lock = [], [], [], threading.Lock()

    def one():
        body = {"model": "bench", "stream": True, "messages": [{"role": "user", "content": "(The start)"}]}
        began = time.perf_counter()
        first = shown = None
        reader = MessageReader()
        with requests.post(url + "/chat/completions", json=body, stream=True, timeout=60) as r:
            for line in r.iter_lines(decode_unicode=True):
                if not line.startswith("data: {"):
                    continue
                first = first or time.perf_counter() - began
                if reader.feed(json.loads(line[6:])["choices"][0]["delta"].get("content") or "") and shown is None:
                    shown = time.perf_counter() - began
        with lock:
            totals.append(time.perf_counter() - began)
            firsts.append(first)
            visible.append(shown)

    threads = [threading.Thread(target=one) for _ in range(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return totals, firsts, visible


class Interviewee(threading.Thread):
    def __init__(self, base: str, instance_id: uuid.UUID, turns: int, barrier: threading.Barrier):
        super().__init__()
        self.base, self.instance_id, self.turns, self.barrier = base, instance_id, turns, barrier
        self.totals: list[float] = []
        self.firsts: list[float] = []
        self.errors: list[str] = []

    def run(self):
        http = requests.Session()
        try:
            start_url = f"{self.base}/i/{self.instance_id}"
            csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', http.get(start_url, timeout=60).text)[1]
            reply = http.post(start_url, data={"csrf_token": csrf, "first_name": "Bench", "consent": "y"},
                              allow_redirects=False, timeout=60)
            chat = self.base + reply.headers["Location"].split("#")[0]
        except Exception as error:  # noqa: BLE001
            self.errors.append(f"intake: {error}")
            self.barrier.abort()
            return
        self.barrier.wait()  # every interviewee answers at the same moment
        for _ in range(self.turns):
            began = time.perf_counter()
            try:
                with http.post(chat, data={"answer": ANSWER, "csrf_token": csrf}, stream=True, timeout=60,
                               headers={"Accept": "text/event-stream", "X-CSRFToken": csrf}) as r:
                    if r.status_code != 200:
                        self.errors.append(f"HTTP {r.status_code}")
                        continue
                    first, done = read_stream(r, began)
            except Exception as error:  # noqa: BLE001
                self.errors.append(str(error))
                continue
            if not done or done.get("outcome") != "answered":
                self.errors.append(f"no done event: {done}")
                continue
            self.totals.append(time.perf_counter() - began)
            self.firsts.append(first if first is not None else float("nan"))


def ms(values: list[float], q: float = 0.5) -> str:
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(q * len(values)))] * 1000:7.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--reply-seconds", type=float, default=2.0)
    parser.add_argument("--serve-llm", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--gunicorn-args", default="", help="extra gunicorn arguments, e.g. '-k sync -w 5'")
    args = parser.parse_args()
    if args.serve_llm:
        serve_llm(args.serve_llm, args.reply_seconds)
        return

    name = f"franko_bench_stream_{os.getpid()}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    processes = []
    try:
        create_schema(url)
        instance_id = uuid.uuid4()
        with psycopg.connect(dbname=name, autocommit=True, **PG) as conn:
            conn.execute(
                "INSERT INTO profiles (id, user_id, email, organisation_name, membership, total_responses_available,"
                " monthly_responses_quota, total_responses_used, total_responses_used_this_month,"
                " total_chat_instances_used, total_chat_instances_available, created_at, updated_at)"
                " VALUES (gen_random_uuid(), 'bench', 'bench@example.com', 'Bench Bakery', 'pro', 100000, 100000,"
                " 0, 0, 1, 50, now(), now())")
            conn.execute("INSERT INTO chat_instances (id, user_id, interview_guide, created_at, updated_at)"
                         " VALUES (%s, 'bench', %s, now(), now())", (instance_id, GUIDE))

        llm_port, app_port = free_port(), free_port()
        processes.append(subprocess.Popen([sys.executable, "-m", "bench.interview_stream", "--serve-llm", str(llm_port),
                                           "--reply-seconds", str(args.reply_seconds)], cwd=ROOT, start_new_session=True))
        llm_url = f"http://127.0.0.1:{llm_port}/v1"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only-secret", "FRANKO_INSECURE_COOKIES": "1",
               "FRANKO_INTERVIEW_RATE_LIMIT": "1000000 per minute", "FLASK_DEBUG": "0",
               "GUNICORN_BIND": f"127.0.0.1:{app_port}", "OPENAI_BASE_URL": llm_url, "OPENAI_API_KEY": "bench",
               "FRANKO_LLM_MODEL": "bench", "FRANKO_LLM_TIMEOUT": "20", "FRANKO_BASE_URL": f"http://127.0.0.1:{app_port}"}
        processes.append(subprocess.Popen([os.path.join(ROOT, ".venv/bin/gunicorn"), *args.gunicorn_args.split(),
                                           "app:app"], cwd=ROOT, env=env, start_new_session=True))
        base = f"http://127.0.0.1:{app_port}"
        for _ in range(120):
            try:
                requests.get(base + "/", timeout=5).raise_for_status()
                requests.get(llm_url.rsplit("/", 1)[0], timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn or the endpoint did not start")

        alone_totals, alone_firsts, alone_visible = endpoint_alone(llm_url, args.people)
        barrier = threading.Barrier(args.people)
        people = [Interviewee(base, instance_id, args.turns, barrier) for _ in range(args.people)]
        began = time.perf_counter()
        for p in people:
            p.start()
        for p in people:
            p.join(timeout=max(1, DEADLINE_SECONDS - (time.perf_counter() - began)))
        seconds = time.perf_counter() - began
        totals = [t for p in people for t in p.totals]
        firsts = [f for p in people for f in p.firsts]
        errors = [e for p in people for e in p.errors]
        with psycopg.connect(dbname=name, **PG) as conn:
            kept = conn.execute(
                "SELECT count(*) FILTER (WHERE m->>'by' = 'model'), count(*) FROM chat_responses,"
                " jsonb_array_elements(messages_json::jsonb) AS m WHERE m->>'role' = 'assistant'").fetchone()

        print(f"{args.people} interviewees at once, {args.turns} turns each; endpoint reply over {args.reply_seconds} s; "
              f"gunicorn app:app {args.gunicorn_args}".rstrip())
        print(f"{'':32} {'median ms':>9} {'p90 ms':>7}")
        print(f"{'endpoint alone: whole reply':32} {ms(alone_totals)}   {ms(alone_totals, .9)}")
        print(f"{'endpoint alone: first chunk':32} {ms(alone_firsts)}   {ms(alone_firsts, .9)}")
        print(f"{'endpoint alone: first text token':32} {ms(alone_visible)}   {ms(alone_visible, .9)}")
        print(f"{'through the app: whole turn':32} {ms(totals)}   {ms(totals, .9)}")
        print(f"{'through the app: first token':32} {ms(firsts)}   {ms(firsts, .9)}")
        print(f"turns {len(totals)}/{args.people * args.turns}, errors {len(errors)}, "
              f"{len(totals) / seconds:.1f} turns/s over {seconds:.1f} s (intakes included)")
        print(f"median turn / endpoint reply: {statistics.median(totals) / statistics.median(alone_totals):.2f} "
              f"(goal <= 1.15); first token - endpoint's first text token: "
              f"{(statistics.median(firsts) - statistics.median(alone_visible)) * 1000:.0f} ms (goal <= 150)")
        print(f"agent messages from the model: {kept[0]}/{kept[1]}")
        if errors:
            print("first errors:", errors[:5])
    finally:
        for process in reversed(processes):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
