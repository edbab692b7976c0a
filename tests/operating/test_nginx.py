"""deploy/nginx/franko.conf in front of a real gunicorn: Debian's nginx, the site templated to the test's ports.

Checks the security headers through the proxy (HSTS shows the app saw HTTPS), that the app logs the
client's address (ProxyFix, one hop; a forged X-Forwarded-For is not believed) and that a streamed
reply (SSE) reaches the client piece by piece while the model is still writing it.
"""
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from franko.extensions import db
from tests.conftest import free_port, make_app
from tests.interview.conftest import chunk, make_setup, scripted_reply, send_completion
from tests.operating.servers import ROOT, Gunicorn, wait_for_port
from tests.servers import LocalServer

pytestmark = pytest.mark.slow
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENT_ADDRESS = "127.0.0.2"  # the test's client connects from here; nginx reaches gunicorn from 127.0.0.1


class PausingLLM:
    """An OpenAI-compatible endpoint that streams its replies; once `armed`, it stops before a reply's end
    until `release` is set."""

    def __init__(self):
        self.armed = threading.Event()
        self.release = threading.Event()
        self.paused = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def write_chunk(self, data: bytes):
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                content = scripted_reply(body)
                if not body.get("stream"):  # the label of the answer: a whole reply at once
                    send_completion(self, body, content)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [content[i:i + 7] for i in range(0, len(content), 7)]
                for piece in pieces[:-2]:
                    self.write_chunk(chunk(body, piece))
                if fake.armed.is_set():
                    fake.paused.set()
                    fake.release.wait(30)
                for piece in pieces[-2:]:
                    self.write_chunk(chunk(body, piece))
                self.write_chunk(chunk(body, None, "stop"))
                self.write_chunk(b"data: [DONE]\n\n")
                self.write_chunk(b"")

        self.server = LocalServer(Handler)
        self.url = f"{self.server.base}/v1"


def site(tmp_path, app_port: int, http_port: int, https_port: int) -> str:
    """The repository's site, with the test's ports and a self-signed certificate."""
    with open(os.path.join(ROOT, "deploy", "nginx", "franko.conf")) as source:
        text = source.read()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=franko.example.org", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen [::]:443 ssl;": "",
        "/etc/letsencrypt/live/franko.example.org/fullchain.pem": str(tmp_path / "cert.pem"),
        "/etc/letsencrypt/live/franko.example.org/privkey.pem": str(tmp_path / "key.pem"),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"deploy/nginx/franko.conf no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def nginx_conf(tmp_path, site_text: str) -> str:
    """A main configuration of the test's own: its prefix, pid, logs and temporary files under tmp_path."""
    (tmp_path / "franko.conf").write_text(site_text)
    temp = "\n".join(f"  {kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log info;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  access_log {tmp_path}/nginx-access.log;
{temp}
  include {tmp_path}/franko.conf;
}}
""")
    return str(conf)


class Browser:
    """HTTPS through nginx from CLIENT_ADDRESS, keeping cookies (they are Secure: production settings)."""

    def __init__(self, port: int):
        self.port = port
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None, port=None, tls=True):
        cls, kwargs = (http.client.HTTPSConnection, {"context": self.context}) if tls else (http.client.HTTPConnection, {})
        conn = cls("127.0.0.1", port or self.port, timeout=60, source_address=(CLIENT_ADDRESS, 0), **kwargs)
        headers = {"Host": "franko.example.org", "Connection": "close", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:  # a browser's form post: over HTTPS, Flask-WTF wants a same-site Referer
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers.setdefault("Referer", f"https://franko.example.org{path}")
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return conn, response

    def get(self, path: str, **kwargs):
        conn, response = self.request("GET", path, **kwargs)
        data = response.read().decode()
        conn.close()
        return response, data


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def stack(tmp_path):
    """gunicorn (production settings, FRANKO_PROXY_HOPS=1) behind nginx with the repository's site."""
    if not os.path.exists(NGINX):
        pytest.fail("Debian's nginx is not installed: `make test` installs it (make nginx)")
    llm = PausingLLM()
    url = f"sqlite:///{tmp_path}/franko.sqlite"
    app = make_app(url)
    with app.app_context():
        db.create_all()
        setup = make_setup()
        db.engine.dispose()
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    gunicorn = Gunicorn(tmp_path, app_port, FRANKO_PROXY_HOPS="1", OPENAI_BASE_URL=llm.url, OPENAI_API_KEY="sk-test",
                        FRANKO_LLM_MODEL="test-model")
    conf = nginx_conf(tmp_path, site(tmp_path, app_port, http_port, https_port))
    nginx_log = tmp_path / "nginx-error.log"
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", conf, "-e", str(nginx_log)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(https_port, nginx, nginx_log)
        yield {"browser": Browser(https_port), "http_port": http_port, "instance_id": setup.instance_id,
               "log": gunicorn.log, "llm": llm}
    finally:
        llm.release.set()
        nginx.send_signal(signal.SIGTERM)
        nginx.wait(timeout=60)
        gunicorn.stop()
        llm.server.stop()


def test_security_headers_and_https_through_nginx(stack):
    browser = stack["browser"]
    response, _ = browser.get("/auth/login")
    assert response.status == 200
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=")  # the app knows the client used HTTPS
    assert "Secure" in ";".join(response.headers.get_all("Set-Cookie"))
    redirect, _ = browser.get("/auth/login", port=stack["http_port"], tls=False)
    assert redirect.status == 301 and redirect.headers["Location"] == "https://franko.example.org/auth/login"


def test_the_app_sees_the_clients_address_not_a_forged_one(stack):
    response, _ = stack["browser"].get("/auth/login", headers={"X-Forwarded-For": "203.0.113.66"})
    request_id = response.headers["X-Request-ID"]  # nginx's $request_id, passed to the app and sent back

    def logged() -> list[str]:
        return [line for line in stack["log"].read_text().splitlines() if f"[{request_id}]" in line]

    for _ in range(100):
        if logged():
            break
        time.sleep(0.1)
    (line,) = logged()
    assert line.endswith(f"GET /auth/login 200 {line.split()[-2]} {CLIENT_ADDRESS}")
    assert "203.0.113.66" not in line


def test_a_streamed_reply_arrives_in_pieces_through_nginx(stack):
    browser, llm = stack["browser"], stack["llm"]
    start = f"/i/{stack['instance_id']}"
    _, page = browser.get(start)
    conn, response = browser.request("POST", start, body=f"csrf_token={csrf(page)}&first_name=Ada&consent=y")
    started = response.read().decode()
    conn.close()
    assert response.status == 302, started[:3000]
    chat = response.headers["Location"].split("#")[0].replace("https://franko.example.org", "")
    _, page = browser.get(chat)
    llm.armed.set()
    conn, response = browser.request("POST", chat, body=f"csrf_token={csrf(page)}&answer=We+bake+bread+for+forty+caf%C3%A9s+in+Leeds.",
                                     headers={"Accept": "text/event-stream"})
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    received = ""
    while "event: token" not in received:
        line = response.readline().decode()
        assert line, "the stream ended before any token"
        received += line
    # A piece of the reply is here while the model has not finished writing it: nginx did not buffer.
    assert llm.paused.is_set() and not llm.release.is_set()
    llm.release.set()
    rest = response.read().decode()
    conn.close()
    tokens = re.findall(r"event: token\ndata: (.*)\n", received + rest)
    assert len(tokens) >= 2 and "event: done" in rest
    assert "".join(json.loads(t)["text"] for t in tokens).startswith("LLM thanks you.")
