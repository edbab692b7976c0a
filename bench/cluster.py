"""A two-server Franko cluster on one machine, under load, with faults; counts what an operator must see hold.

Stands up Debian's nginx (deploy/nginx/franko.conf, its upstream made two servers, no sticky sessions)
in front of two `gunicorn app:app` servers (2 processes each) and two `flask franko worker`s on one
PostgreSQL database of its own (reached through a TCP proxy this script can cut) and one redis-server
(rate limits), with a local SMTP server (aiosmtpd), a webhook receiver and a fake OpenAI-compatible
model that streams and sometimes fails (the SMTP server refuses one message in 15 with a 451, the receiver
answers one POST in 10 with a 503: both must be sent again). Virtual users start and answer interviews (form posts, JSON
and the streamed path, each answer retried with its key as the page does), sign up and log in, while
the faults run one after another:

  redis       redis-server stopped, started again
  redis-hang  redis-server SIGSTOPped (it accepts, never answers), then SIGCONT
  db-cut      the database unreachable (the proxy refuses and drops every connection), then back
  db-freeze   the database hangs: the proxy keeps every connection but passes nothing
  db-kill     every backend of the cluster's database terminated (pg_terminate_backend, this database only)
  server      one app server SIGKILLed (master and processes) mid-load, started again
  server-term the other app server SIGTERMed (a deploy), started again
  worker      one worker SIGKILLed mid-load, started again
  workers     both workers SIGKILLed at once, started again
  sigterm     one worker SIGTERMed while it delivers a webhook the receiver holds: must finish within its grace

Then the load stops and the cluster settles. Reported: every status code seen through nginx (500
must be 0), answers lost or stored twice, completions without exactly one email or without a 2xx
webhook, sign-ups without their verification email, jobs or deliveries left, and /metrics of both
servers against what was counted. Ports 18000-18049; the database `franko_cluster` is dropped and
made again. Every process it starts is stopped at the end.

    .venv/bin/python -m bench.cluster [--users 6] [--seconds 150] [--faults redis,db-cut,...] [--keep]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
import urllib3

from bench.common import ROOT, VENV_BIN

urllib3.disable_warnings()

NGINX_PORT, APP_PORTS, REDIS_PORT, PG_PROXY_PORT = 18000, (18010, 18011), 18020, 18030
SMTP_PORT, HOOK_PORT, LLM_PORT = 18040, 18041, 18042
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "franko_cluster"
TOKEN = "cluster-metrics-token"
HOST = "franko.example.org"
GUIDE = "# Bakery study\n- What do you do?\n- What is hard about it?\n- What would help?"
OWNER, PASSWORD = "owner@cluster.example.org", "correct horse"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="key" type="hidden" value="([^"]*)"')
FAULTS = ("redis", "redis-hang", "db-cut", "db-freeze", "db-kill", "server", "server-term", "worker", "workers",
          "sigterm")

lock = threading.Lock()
codes: collections.Counter = collections.Counter()  # (status) seen through nginx
by_route: collections.Counter = collections.Counter()  # (route, status)
five_hundreds: list[str] = []
errors: collections.Counter = collections.Counter()  # connection errors, broken streams
acked: dict[str, list[str]] = {}  # response id -> the answers the client was told were stored
names: dict[str, str] = {}  # response id -> interviewee first name
finished: set[str] = set()
signups: list[str] = []
emails: list[dict] = []
hooks: collections.defaultdict = collections.defaultdict(list)  # response id -> Franko-Delivery of each 2xx
hook_hold = threading.Event()
refused, refusals = [0], [0]  # messages offered to the SMTP server; those answered 451
posts, hook_failures = [0], [0]  # webhook POSTs received; those answered 503
hooks_waiting = [0]
llm = {"calls": 0, "failed": 0}
before_kill: list[dict] = []  # server-1's /metrics just before it was killed (its counts restart from 0)
probes: collections.Counter = collections.Counter()  # /healthz asked of each server directly (in its metrics)
events: list[str] = []
began = time.monotonic()


def note(text: str) -> None:
    line = f"[{time.monotonic() - began:6.1f} s] {text}"
    with lock:
        events.append(line)
    print(line, flush=True)


# --- the local servers: SMTP, the webhook receiver, the model ----------------------------------------------

class Inbox:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        with lock:
            refused[0] += 1
            if refused[0] % 15 == 0:  # one message in 15 is refused for now: its job must send it again
                refusals[0] += 1
                return "451 Try again later"
            emails.append({"to": list(envelope.rcpt_tos), "subject": str(message["Subject"]),
                           "id": str(message["Message-ID"])})
        return "250 Message accepted for delivery"


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        with lock:
            posts[0] += 1
            fail = posts[0] % 10 == 0  # one POST in 10 answered 503: the delivery is retried
            hook_failures[0] += fail
        if fail:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if hook_hold.is_set():
            with lock:
                hooks_waiting[0] += 1
            try:
                deadline = time.monotonic() + 60
                while hook_hold.is_set() and time.monotonic() < deadline:
                    time.sleep(0.05)
            finally:
                with lock:
                    hooks_waiting[0] -= 1
        try:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.wfile.flush()
        except OSError:
            return
        with lock:
            hooks[body["data"]["response_id"]].append(self.headers.get("Franko-Delivery"))

    def log_message(self, *args):
        pass


class Model(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint: labels whole, wording streamed; one call in 12 fails (HTTP 500)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        from tests.interview.conftest import chunk, scripted_reply, send_completion

        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            llm["calls"] += 1
            fail = llm["calls"] % 12 == 0
            llm["failed"] += fail
        if fail:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            content = scripted_reply(body)
        except (IndexError, AttributeError, KeyError):  # a summary's or themes' request: any plain text does
            content = "Summary: the interviewee bakes bread; flour prices are the difficulty."
        if not body.get("stream"):
            send_completion(self, body, content)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in [content[i:i + 12] for i in range(0, len(content), 12)] + [None]:
            data = chunk(body, piece, None if piece is not None else "stop")
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            time.sleep(0.03)
        for data in (b"data: [DONE]\n\n", b""):
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def serve(handler, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def database_proxy(port: int, target: tuple[str, int]):
    """A TCP forwarder to PostgreSQL on a fixed port: `cut()`/`restore()` an outage, `freeze()`/`thaw()` a hang."""
    from tests.operating.tcp_proxy import TcpProxy

    return TcpProxy(*target, port=port)


# --- processes ---------------------------------------------------------------------------------------------

class Proc:
    def __init__(self, name: str, args: list[str], env: dict, directory: str):
        self.name, self.args, self.env, self.log = name, args, env, os.path.join(directory, f"{name}.log")
        self.popen: subprocess.Popen | None = None

    def start(self) -> Proc:
        out = open(self.log, "a", encoding="utf-8")  # noqa: SIM115 — the child holds it
        self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        out.close()
        return self

    def kill_group(self, number=signal.SIGKILL) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, number)
            self.popen.wait(timeout=60)

    def stop(self, seconds: float = 60) -> int | None:
        if self.popen is None or self.popen.poll() is not None:
            return self.popen.returncode if self.popen else None
        self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.kill_group()
            return None

    def output(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()


def wait_for_port(port: int, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def nginx_conf(directory: str) -> str:
    """The repository's site with its upstream made the two app servers, the test's ports and a self-signed cert."""
    with open(os.path.join(ROOT, "deploy", "nginx", "franko.conf")) as source:
        text = source.read()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=franko.example.org", "-keyout", f"{directory}/key.pem", "-out", f"{directory}/cert.pem"],
                   check=True, capture_output=True)
    # As the site's comment says for several servers (the default fail_timeout of 10 s gave 502s in a deploy).
    upstream = "\n    ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in APP_PORTS)
    for old, new in {"server 127.0.0.1:8000;": upstream, "listen 80;": "listen 127.0.0.1:18001;",
                     "listen [::]:80;": "", "listen 443 ssl;": f"listen 127.0.0.1:{NGINX_PORT} ssl;",
                     "listen [::]:443 ssl;": "",
                     "/etc/letsencrypt/live/franko.example.org/fullchain.pem": f"{directory}/cert.pem",
                     "/etc/letsencrypt/live/franko.example.org/privkey.pem": f"{directory}/key.pem"}.items():
        assert text.count(old) == 1, f"deploy/nginx/franko.conf no longer has {old!r}"
        text = text.replace(old, new)
    with open(f"{directory}/site.conf", "w") as f:
        f.write(text)
    temp = "\n".join(f"  {k}_temp_path {directory}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = f"{directory}/nginx.conf"
    with open(conf, "w") as f:
        f.write(f"""daemon off;
pid {directory}/nginx.pid;
worker_processes 1;
error_log {directory}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  include /etc/nginx/mime.types;
  access_log {directory}/nginx-access.log;
{temp}
  include {directory}/site.conf;
}}
""")
    return conf


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def make_database(env: dict) -> str:
    """A fresh `franko_cluster` database at the migrations' head, an owner (email per response) and its instance."""
    psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DATABASE}'")
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    direct = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    subprocess.run([f"{VENV_BIN}/flask", "--app", "app", "db", "upgrade"], cwd=ROOT, check=True,
                   env={**env, "DATABASE_URL": direct}, capture_output=True)
    code = f"""
from franko import create_app
from franko.extensions import db
from franko.models import utcnow
from tests.factories import make_instance, make_profile
app = create_app()
with app.app_context():
    owner = make_profile(email={OWNER!r}, plan="pro", organisation_name="Cluster Bakeries")
    owner.total_responses_available = 10_000_000
    owner.email_verified_at = utcnow()
    owner.notify_mode = "each"
    instance = make_instance(owner, guide={GUIDE!r})
    instance.webhook_url = "http://127.0.0.1:{HOOK_PORT}/hook"
    instance.webhook_secret = "whsec_cluster"
    db.session.commit()
    print(instance.id)
"""
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True,
                           env={**env, "DATABASE_URL": direct})
    return found.stdout.strip().splitlines()[-1]


# --- the virtual users -------------------------------------------------------------------------------------

def route_of(path: str) -> str:
    if path.startswith("/i/") and "/r/" in path:
        return "interview.answer/chat"
    if path.startswith("/i/"):
        return "interview.start"
    return path.split("?")[0]


class User:
    def __init__(self, base: str, instance_id: str, rng: random.Random):
        self.base, self.instance_id, self.rng = base, instance_id, rng
        self.http = requests.Session()
        self.http.verify = False
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False; no proxies either
        self.http.headers["Host"] = HOST  # nginx passes $host (no port): the name a browser would use

    def request(self, method: str, path: str, **kwargs) -> requests.Response | None:
        """One request through nginx; its status counted (None: the connection failed)."""
        headers = kwargs.pop("headers", {})
        if method == "POST":
            headers.setdefault("Referer", f"https://{HOST}{path}")
        try:
            reply = self.http.request(method, self.base + path, headers=headers, timeout=90, allow_redirects=False,
                                      **kwargs)
        except requests.RequestException as error:
            with lock:
                errors[f"{method} {route_of(path)}: {type(error).__name__}"] += 1
            return None
        with lock:
            codes[reply.status_code] += 1
            by_route[(method, route_of(path), reply.status_code)] += 1
            if reply.status_code >= 500 and reply.status_code not in (502, 503, 504):
                five_hundreds.append(f"{method} {path} {reply.status_code} {reply.text[:200]!r}")
            if reply.status_code == 500:
                five_hundreds.append(f"{method} {path} 500 request id {reply.headers.get('X-Request-ID')}")
        return reply

    def page(self, path: str) -> tuple[str, str] | None:
        """GET a page until it answers 200 (a person reloads); its CSRF token and answer key."""
        for attempt in range(30):
            reply = self.request("GET", path)
            if reply is not None and reply.status_code == 200:
                token = CSRF.search(reply.text)
                key = KEY.search(reply.text)
                return (token.group(1) if token else "", key.group(1) if key else "")
            time.sleep(1 + attempt * 0.2)
        return None

    def post_until(self, path: str, data: dict, ok=(302,), **kwargs) -> requests.Response | None:
        """POST the same form again while the answer is a 5xx or nothing (what a person or the page's script does)."""
        for attempt in range(30):
            reply = self.request("POST", path, data=data, **kwargs)
            if reply is not None and reply.status_code < 500:
                return reply
            time.sleep(1 + attempt * 0.2)
        return None

    def interview(self, name: str) -> None:
        start = f"/i/{self.instance_id}"
        got = self.page(start)
        if got is None:
            return
        reply = self.post_until(start, {"csrf_token": got[0], "first_name": name, "second_name": "Cluster",
                                        "email": f"{name.lower()}@example.com", "consent": "y"})
        if reply is None or reply.status_code != 302:
            with lock:
                errors[f"start refused: {reply.status_code if reply is not None else None}"] += 1
            return
        chat = reply.headers["Location"].split("#")[0]
        if chat.startswith("http"):
            chat = "/" + chat.split("/", 3)[3]
        response_id = chat.rsplit("/", 1)[1]
        with lock:
            names[response_id] = name
            acked[response_id] = []
        got = self.page(chat)
        if got is None:
            return
        token, key = got
        for n in range(10):
            text = f"{name} answer {n + 1}: we bake bread for forty cafés and the flour price keeps rising."
            mode = self.rng.choice(("form", "json", "sse"))
            outcome = self.answer(chat, token, key or uuid.uuid4().hex, text, mode)
            if outcome is None:
                return
            stored, done, next_key = outcome
            if stored:
                with lock:
                    acked[response_id].append(text)
            if done:
                with lock:
                    finished.add(response_id)
                return
            if next_key is None:
                got = self.page(chat)
                if got is None:
                    return
                token, next_key = got
                if not next_key:  # no form: the interview is over
                    with lock:
                        finished.add(response_id)
                    return
            key = next_key
            time.sleep(self.rng.uniform(0.2, 1.0))

    def answer(self, chat: str, token: str, key: str, text: str, mode: str):
        """Send one answer until it is stored (a replay with its key is harmless); (stored, finished, next key)."""
        data = {"answer": text, "key": key, "csrf_token": token}
        for attempt in range(40):
            if mode == "form":
                reply = self.request("POST", chat, data=data)
                if reply is not None and reply.status_code == 302:
                    return True, False, None
            elif mode == "json":
                reply = self.request("POST", chat, data=data, headers={"Accept": "application/json",
                                                                          "X-CSRFToken": token})
                if reply is not None and reply.status_code == 200:
                    body = reply.json()
                    return body["outcome"] in ("answered", "no_credit"), body["finished"], body["next_key"]
            else:
                body = self.stream(chat, data, token)
                if body is not None:
                    return body["outcome"] in ("answered", "no_credit"), body["finished"], body["next_key"]
                reply = None
            if reply is not None and 400 <= reply.status_code < 500 and reply.status_code != 409:
                with lock:
                    errors[f"answer refused {reply.status_code}: {reply.text[:80]!r}"] += 1
                return None
            time.sleep(1 + attempt * 0.2)
        return None

    def stream(self, chat: str, data: dict, token: str) -> dict | None:
        headers = {"Accept": "text/event-stream", "X-CSRFToken": token, "Referer": f"https://{HOST}{chat}"}
        try:
            reply = self.http.post(self.base + chat, data=data, headers=headers, timeout=90, stream=True,
                                   allow_redirects=False)
        except requests.RequestException as error:
            with lock:
                errors[f"POST stream: {type(error).__name__}"] += 1
            return None
        with lock:
            codes[reply.status_code] += 1
            by_route[("POST", "interview.answer (stream)", reply.status_code)] += 1
            if reply.status_code == 500:
                five_hundreds.append(f"POST {chat} (stream) 500 {reply.text[:200]!r}")
        if reply.status_code != 200:
            reply.close()
            return None
        if "event-stream" not in reply.headers.get("Content-Type", ""):  # a replay: the stored outcome as JSON
            return reply.json()
        event = None
        try:
            for line in reply.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event in ("done", "error"):
                    body = json.loads(line[6:])
                    if event == "done":
                        return body
                    with lock:
                        errors[f"stream error event {body.get('status')}"] += 1
                    return None
        except requests.RequestException:
            pass
        with lock:
            errors["stream ended without its done event"] += 1
        return None

    def sign_up(self) -> None:
        got = self.page("/auth/signup")
        if got is None:
            return
        email = f"s-{uuid.uuid4().hex[:10]}@example.com"
        reply = self.post_until("/auth/signup", {"csrf_token": got[0], "email": email, "password": "a long password",
                                                 "confirm": "a long password"})
        if reply is not None and reply.status_code == 302:
            with lock:
                signups.append(email)
        elif reply is not None and "already exists" in reply.text:  # a replayed sign-up that was stored
            with lock:
                signups.append(email)

    def log_in(self) -> None:
        self.http.cookies.clear()
        got = self.page("/auth/login")
        if got is None:
            return
        reply = self.post_until("/auth/login", {"csrf_token": got[0], "email": OWNER, "password": PASSWORD})
        if reply is not None and reply.status_code == 302:
            self.page("/")
            self.page(f"/instances/{self.instance_id}/responses")


def run_user(base: str, instance_id: str, seed: int, stop: threading.Event, counter) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        user = User(base, instance_id, rng)
        roll = rng.random()
        try:
            if roll < 0.7:
                with lock:
                    counter[0] += 1
                    name = f"P{counter[0]:04d}"
                user.interview(name)
            elif roll < 0.85:
                user.sign_up()
            else:
                user.log_in()
        except Exception as error:  # noqa: BLE001 — counted, the user goes on
            with lock:
                errors[f"client exception {type(error).__name__}: {error}"[:160]] += 1
        finally:
            user.http.close()


# --- the cluster -------------------------------------------------------------------------------------------

class Cluster:
    def __init__(self, directory: str, worker_lease: float, worker_grace: float):
        self.dir = directory
        self.metrics_dirs = [f"{directory}/metrics-{n}" for n in (1, 2)]
        for path in self.metrics_dirs:
            os.makedirs(path)
        self.env = {**os.environ, "FLASK_DEBUG": "0", "SECRET_KEY": "cluster-secret-" + "k" * 20,
                    "FRANKO_BASE_URL": f"https://{HOST}",
                    "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{PG_PROXY_PORT}/{DATABASE}",
                    "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{REDIS_PORT}/0",
                    "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
                    "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(SMTP_PORT), "MAIL_USE_TLS": "0",
                    "FRANKO_WEBHOOK_ALLOW_PRIVATE": "1", "FRANKO_PROXY_HOPS": "1", "FRANKO_METRICS_TOKEN": TOKEN,
                    "OPENAI_BASE_URL": f"http://127.0.0.1:{LLM_PORT}/v1", "OPENAI_API_KEY": "fake",
                    "FRANKO_LLM_MODEL": "fake-model", "FRANKO_LLM_TIMEOUT": "10",
                    "FRANKO_JOB_LEASE": str(worker_lease), "FRANKO_WORKER_GRACE": str(worker_grace),
                    "FRANKO_THEMES_DELAY": "5",
                    "FRANKO_INTERVIEW_RATE_LIMIT": "100000 per minute", "FRANKO_LOGIN_RATE_LIMIT": "100000 per minute",
                    "FRANKO_SIGNUP_RATE_LIMIT": "100000 per hour", "FRANKO_EMAIL_RATE_LIMIT": "100000 per hour",
                    "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8"}
        for key in ("TEST_DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "FRANKO_LOG_FORMAT"):
            self.env.pop(key, None)
        self.redis = Proc("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", directory], self.env, directory)
        self.servers = [Proc(f"server-{n + 1}", [f"{VENV_BIN}/gunicorn", "app:app"],
                             {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}",
                              "PROMETHEUS_MULTIPROC_DIR": self.metrics_dirs[n]}, directory)
                        for n, port in enumerate(APP_PORTS)]
        self.workers = [Proc(f"worker-{n + 1}", [f"{VENV_BIN}/flask", "--app", "app", "franko", "worker"],
                             {**self.env, "PROMETHEUS_MULTIPROC_DIR": self.metrics_dirs[n]}, directory)
                        for n in range(2)]
        self.nginx = Proc("nginx", ["/usr/sbin/nginx", "-c", nginx_conf(directory), "-p", directory],
                          self.env, directory)
        self.proxy: Proxy | None = None

    def start(self) -> str:
        self.redis.start()
        wait_for_port(REDIS_PORT)
        instance_id = make_database(self.env)
        self.proxy = database_proxy(PG_PROXY_PORT, ("127.0.0.1", 5432))
        for server in self.servers:
            server.start()
        for worker in self.workers:
            worker.start()
        self.nginx.start()
        for port in (*APP_PORTS, NGINX_PORT):
            if not wait_for_port(port):
                raise RuntimeError(f"nothing listens on {port}")
        for port in APP_PORTS:
            self.wait_healthy(port)
        return instance_id

    def wait_healthy(self, port: int, seconds: float = 120) -> float:
        """Seconds until the server answers /healthz 200 "ok" (or the bound)."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            try:
                with lock:
                    probes[port] += 1
                reply = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                if reply.status_code == 200 and reply.json()["status"] == "ok":
                    return time.monotonic() - start
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        return float("inf")

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop(90)
        self.nginx.stop(10)
        for server in self.servers:
            server.stop(60)
        self.redis.stop(10)
        if self.proxy:
            self.proxy.cut()

    def scrape(self, port: int) -> str:
        return requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=30).text


# --- the faults --------------------------------------------------------------------------------------------

def recovered(cluster: Cluster) -> str:
    took = max(cluster.wait_healthy(port) for port in APP_PORTS)
    return f"both servers healthy {took:.1f} s later"


def fault_redis(cluster: Cluster, hold: float) -> None:
    note("FAULT redis: redis-server stopped")
    cluster.redis.stop(10)
    time.sleep(hold)
    cluster.redis.start()
    note(f"redis-server started again; {recovered(cluster)}")


def fault_redis_hang(cluster: Cluster, hold: float) -> None:
    note("FAULT redis-hang: redis-server SIGSTOPped (connections open, no answer)")
    cluster.redis.popen.send_signal(signal.SIGSTOP)
    time.sleep(hold)
    cluster.redis.popen.send_signal(signal.SIGCONT)
    note(f"redis-server SIGCONTinued; {recovered(cluster)}")


def fault_db_cut(cluster: Cluster, hold: float) -> None:
    note("FAULT db-cut: the database unreachable (proxy refuses, connections dropped)")
    cluster.proxy.cut()
    time.sleep(hold)
    cluster.proxy.restore()
    note(f"database reachable again; {recovered(cluster)}")


def fault_db_freeze(cluster: Cluster, hold: float) -> None:
    note("FAULT db-freeze: the database hangs (connections open, no byte passes either way)")
    cluster.proxy.freeze()
    time.sleep(hold)
    cluster.proxy.thaw()
    note(f"the database answers again; {recovered(cluster)}")


def fault_db_kill(cluster: Cluster, hold: float) -> None:
    note("FAULT db-kill: pg_terminate_backend on every connection to the cluster's database")
    killed = psql(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{DATABASE}' "
                  "AND pid <> pg_backend_pid()")
    note(f"{killed} backends terminated; {recovered(cluster)}")


def fault_server(cluster: Cluster, hold: float) -> None:
    server = cluster.servers[0]
    # What Prometheus had scraped of the web processes (their counts restart from 0): an increase() across the
    # reset. The worker's counts (emails, webhooks, jobs) stay in the directory: not taken twice.
    before_kill.append({key: value for key, value in metric_values(cluster.scrape(APP_PORTS[0])).items()
                        if key[0].startswith(("franko_http_", "franko_interview_"))})
    note("FAULT server: server-1 SIGKILLed (master and its processes)")
    server.kill_group(signal.SIGKILL)
    time.sleep(hold)
    server.start()
    wait_for_port(APP_PORTS[0])
    note(f"server-1 started again; {recovered(cluster)}")


def fault_server_term(cluster: Cluster, hold: float) -> None:
    server = cluster.servers[1]
    before_kill.append({key: value for key, value in metric_values(cluster.scrape(APP_PORTS[1])).items()
                        if key[0].startswith(("franko_http_", "franko_interview_"))})  # as for "server"
    note("FAULT server-term: server-2 SIGTERMed (a deploy: gunicorn finishes its requests, takes no new one)")
    sent = time.monotonic()
    code = server.stop(90)
    note(f"server-2 exited {code} after {time.monotonic() - sent:.1f} s")
    time.sleep(hold)
    server.start()
    wait_for_port(APP_PORTS[1])
    note(f"server-2 started again; {recovered(cluster)}")


def fault_workers(cluster: Cluster, hold: float) -> None:
    note("FAULT workers: both workers SIGKILLed at once")
    for worker in cluster.workers:
        worker.kill_group(signal.SIGKILL)
    time.sleep(hold)
    for worker in cluster.workers:
        worker.start()
    note("both workers started again")


def fault_worker(cluster: Cluster, hold: float) -> None:
    worker = cluster.workers[0]
    note("FAULT worker: worker-1 SIGKILLed")
    worker.kill_group(signal.SIGKILL)
    time.sleep(hold)
    worker.start()
    note("worker-1 started again")


def delivering_worker(cluster: Cluster) -> Proc:
    """The worker whose lease holds a webhook delivery now (its id is host:pid:…), else the second one."""
    leased = psql("SELECT leased_by FROM jobs WHERE status = 'running' AND name LIKE '%.deliver' LIMIT 1", DATABASE)
    for worker in cluster.workers:
        if leased and worker.popen and f":{worker.popen.pid}:" in leased:
            return worker
    return cluster.workers[1]


def queue_sample(cluster: Cluster) -> None:
    """/metrics' queue gauges beside the jobs table, read one after the other."""
    found = metric_values(cluster.scrape(APP_PORTS[1]))
    counts = psql("SELECT count(*) FILTER (WHERE status = 'waiting'), count(*) FILTER (WHERE status = 'running'), "
                  "coalesce(extract(epoch FROM now() AT TIME ZONE 'UTC' - min(run_at) FILTER (WHERE status = 'waiting' "
                  "AND run_at <= now() AT TIME ZONE 'UTC')), 0)::int FROM jobs", DATABASE)
    note(f"queue: /metrics says waiting {total([found], 'franko_jobs', state='waiting'):g}, running "
         f"{total([found], 'franko_jobs', state='running'):g}, oldest {total([found], 'franko_jobs_oldest_waiting_seconds'):.0f} s;"
         f" the table says waiting, running, oldest: {counts}")


def fault_sigterm(cluster: Cluster, hold: float) -> None:
    """Hold webhook answers until one waits, SIGTERM the worker delivering it, release after `hold` s (inside the grace)."""
    hook_hold.set()
    deadline = time.monotonic() + 60
    while hooks_waiting[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    worker = delivering_worker(cluster)
    mark = len(worker.output())
    note(f"FAULT sigterm: {worker.name} SIGTERMed while {hooks_waiting[0]} webhook(s) wait for their answer")
    sent, exited = time.monotonic(), []
    worker.popen.send_signal(signal.SIGTERM)
    popen = worker.popen
    threading.Thread(target=lambda: (popen.wait(), exited.append(time.monotonic())), daemon=True).start()
    time.sleep(hold / 2)
    queue_sample(cluster)
    time.sleep(hold / 2)
    hook_hold.clear()
    try:
        code = worker.popen.wait(timeout=float(cluster.env["FRANKO_WORKER_GRACE"]) + 30)
    except subprocess.TimeoutExpired:
        code = "still running"
    said = [line.split("franko.jobs: ", 1)[-1] for line in worker.output()[mark:].splitlines()
            if "stopping" in line or "stopped" in line or "taking no new job" in line or "handed back" in line]
    note(f"{worker.name} exited {code} {(exited or [time.monotonic()])[0] - sent:.1f} s after SIGTERM (answers held "
         f"{hold:g} s, grace {cluster.env['FRANKO_WORKER_GRACE']} s); its log: {said}")
    worker.start()
    note(f"{worker.name} started again")


FAULT_RUNNERS = {"redis": fault_redis, "redis-hang": fault_redis_hang, "db-cut": fault_db_cut, "db-freeze": fault_db_freeze, "db-kill": fault_db_kill, "server": fault_server,
                 "worker": fault_worker, "server-term": fault_server_term, "workers": fault_workers, "sigterm": fault_sigterm}


# --- the count ---------------------------------------------------------------------------------------------

def settle(cluster: Cluster, seconds: float) -> tuple[bool, float]:
    """Wait (bounded) until no job, claim or undelivered delivery is left and every completion got its mail."""
    import psycopg

    start = time.monotonic()
    while time.monotonic() - start < seconds:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as conn:
            jobs = conn.execute("SELECT count(*) FROM jobs WHERE name NOT LIKE '%%sweep%%'").fetchone()[0]
            undelivered = conn.execute("SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'").fetchone()[0]
            unnotified = conn.execute("SELECT count(*) FROM chat_responses WHERE status = 'completed' "
                                      "AND notified_at IS NULL").fetchone()[0]
        if jobs == 0 and undelivered == 0 and unnotified == 0:
            return True, time.monotonic() - start
        time.sleep(1)
    return False, time.monotonic() - start


def count(cluster: Cluster, instance_id: str) -> dict:
    import psycopg

    from franko.conversation import Conversation

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as conn:
        rows = conn.execute("SELECT id::text, status, messages_json, interviewee_first_name FROM chat_responses "
                            "WHERE chat_instance_id = %s", (instance_id,)).fetchall()
        jobs = conn.execute("SELECT name, status, attempts, last_error FROM jobs").fetchall()
        claims = conn.execute("SELECT count(*) FROM job_claims").fetchone()[0]
        deliveries = conn.execute("SELECT chat_response_id::text, status FROM webhook_deliveries").fetchall()
    report: dict = {"responses": len(rows)}
    lost, twice, stored_turns = [], [], collections.Counter()
    completed = [r for r in rows if r[1] == "completed"]
    for response_id, status, conversation, _ in rows:
        messages = list(Conversation.load(conversation) or [])
        said = collections.Counter(m.get("content") for m in messages if m.get("role") == "user")
        for m in messages:
            if m.get("role") == "assistant" and m.get("by"):
                stored_turns[m["by"]] += 1
        for text in acked.get(response_id, []):
            if said[text] == 0:
                lost.append((response_id, text))
        twice += [(response_id, text, n) for text, n in said.items() if n > 1]
    report["answers acknowledged"] = sum(len(v) for v in acked.values())
    report["answers lost"] = lost
    report["answers stored twice"] = twice
    report["completed"] = len(completed)
    report["completed seen by clients"] = len(finished)
    by_name = collections.Counter(m["subject"].split("New response: ", 1)[1].split(" ", 1)[0]
                                  for m in emails if "New response: " in m["subject"])
    report["completions emailed exactly once"] = sum(1 for r in completed if by_name[r[3]] == 1)
    report["completions not emailed"] = [r[3] for r in completed if by_name[r[3]] == 0]
    report["completions emailed more than once"] = {r[3]: by_name[r[3]] for r in completed if by_name[r[3]] > 1}
    report["completions with a 2xx webhook"] = sum(1 for r in completed if hooks.get(r[0]))
    report["completions without a 2xx webhook"] = [r[3] for r in completed if not hooks.get(r[0])]
    report["webhook POSTs repeated (at-least-once)"] = sum(len(v) - 1 for v in hooks.values() if v)
    report["deliveries not delivered"] = [d for d in deliveries if d[1] != "delivered"]
    to = collections.Counter(addr for m in emails for addr in m["to"])
    report["sign-ups"] = len(signups)
    report["sign-ups without a verification email"] = [s for s in signups if to[s] == 0]
    report["sign-ups emailed more than once"] = {s: to[s] for s in signups if to[s] > 1}
    report["jobs left"] = jobs
    report["claims left"] = claims
    report["turns stored, by"] = dict(stored_turns)
    return report


def metric_values(text: str) -> dict[tuple[str, tuple], float]:
    """name and labels -> value, from Prometheus' text format."""
    from prometheus_client.parser import text_string_to_metric_families

    values: dict = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def total(values: list[dict], name: str, **labels) -> float:
    return sum(v for found in values for (n, ls), v in found.items()
               if n == name and all(dict(ls).get(k) == want for k, want in labels.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=150, help="of load (the faults run within it)")
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--hold", type=float, default=8, help="seconds each outage lasts")
    parser.add_argument("--lease", type=float, default=15)
    parser.add_argument("--grace", type=float, default=30)
    parser.add_argument("--keep", action="store_true", help="leave the logs' directory")
    args = parser.parse_args()
    from aiosmtpd.controller import Controller

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("SIGTERM: stopping the cluster"))  # the finally below runs
    directory = tempfile.mkdtemp(prefix="franko-cluster-")
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=SMTP_PORT)
    smtp.start()
    receiver, model = serve(Receiver, HOOK_PORT), serve(Model, LLM_PORT)
    cluster = Cluster(directory, args.lease, args.grace)
    stop = threading.Event()
    users: list[threading.Thread] = []
    try:
        instance_id = cluster.start()
        note(f"cluster up: nginx :{NGINX_PORT} -> servers {APP_PORTS}, 2 workers, logs in {directory}")
        counter = [0]
        base = f"https://127.0.0.1:{NGINX_PORT}"
        users = [threading.Thread(target=run_user, args=(base, instance_id, n, stop, counter), daemon=True)
                 for n in range(args.users)]
        load_began = time.monotonic()
        for user in users:
            user.start()
        faults = [f for f in args.faults.split(",") if f]
        gap = args.seconds / (len(faults) + 1)
        for fault in faults:
            time.sleep(max(0.0, load_began + gap * (faults.index(fault) + 1) - time.monotonic()))
            FAULT_RUNNERS[fault](cluster, args.hold)
        time.sleep(max(0.0, load_began + args.seconds - time.monotonic()))
        note("load stops; waiting for the users' last requests")
        stop.set()
        for user in users:
            user.join(timeout=180)
        settled, took = settle(cluster, 240)
        note(f"settled: {settled} ({took:.1f} s after the load)")
        time.sleep(3)
        report = count(cluster, instance_id)
        scrapes = [metric_values(cluster.scrape(port)) for port in APP_PORTS] + before_kill
        report_metrics(report, scrapes)
        report["status codes through nginx"] = dict(sorted(codes.items()))
        report["500s"] = five_hundreds
        report["client-side errors (connection, broken streams)"] = dict(errors)
        report["fake model calls / failed"] = f"{llm['calls']} / {llm['failed']}"
        for line in events:
            print(line)
        print(json.dumps(report, indent=1, default=str))
        print("by route:")
        for (method, route, status), n in sorted(by_route.items(), key=lambda x: (x[0][1], x[0][2])):
            print(f"  {method} {route} {status}: {n}")
    finally:
        stop.set()
        cluster.stop()
        receiver.shutdown()
        model.shutdown()
        smtp.stop()
        if not args.keep:
            for proc in (*cluster.servers, *cluster.workers):
                for line in open(proc.log, encoding="utf-8", errors="replace"):
                    if "Traceback" in line or " ERROR " in line:
                        print(f"{proc.name}: {line.rstrip()[:300]}")
            shutil.rmtree(directory, ignore_errors=True)


def report_metrics(report: dict, scrapes: list[dict]) -> None:
    """What /metrics of the two servers says, beside what was counted outside."""
    found = {
        "requests (sum over both servers)": total(scrapes, "franko_http_requests_total"),
        "requests answered 5xx (metrics)": total(scrapes, "franko_http_requests_total", status="5xx"),
        "answer latency count": total(scrapes, "franko_http_request_duration_seconds_count", endpoint="interview.answer"),
        "turns by model": total(scrapes, "franko_interview_turn_duration_seconds_count", by="model"),
        "turns by default": total(scrapes, "franko_interview_turn_duration_seconds_count", by="default"),
        "fallbacks": total(scrapes, "franko_interview_fallbacks_total"),
        "emails sent": total(scrapes, "franko_emails_total", result="sent"),
        "emails failed": total(scrapes, "franko_emails_total", result="failed"),
        "webhooks delivered": total(scrapes, "franko_webhook_deliveries_total", result="delivered"),
        "webhooks retrying": total(scrapes, "franko_webhook_deliveries_total", result="retrying"),
        "webhooks failed": total(scrapes, "franko_webhook_deliveries_total", result="failed"),
        "jobs failed": total(scrapes, "franko_jobs_failed_total"),
        "queue waiting now (server 2)": total(scrapes[1:2], "franko_jobs", state="waiting"),
    }
    report["metrics"] = found
    report["counted outside"] = {"requests through nginx, less its own 502s": sum(codes.values()) - codes[502],
                                 "/healthz asked directly": sum(probes.values()),
                                 "emails accepted by SMTP": len(emails),
                                 "emails refused by SMTP (451)": refusals[0],
                                 "webhook 2xx answers": sum(len(v) for v in hooks.values()),
                                 "webhook POSTs answered 503": hook_failures[0]}


if __name__ == "__main__":
    main()
