"""The database goes away while a streamed reply is being written (a real gunicorn on a real PostgreSQL reached through
a proxy the test cuts): the stream ends with an `error` event saying 503, not a cut connection and a traceback, and
the answer sent again with its key once the database is back is stored once.

Seen on the two-server cluster (bench/cluster.py, db-kill): the storing of a streamed answer raised after the
200 and its headers had gone out; gunicorn logged "Error handling request" and cut the stream.
"""
import json
import re
import uuid

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from franko.conversation import Conversation
from franko.extensions import db
from franko.models import ChatResponse
from tests.conftest import BACKENDS, free_port, make_app, new_database
from tests.interview.conftest import make_setup
from tests.jobs.faults import CSRF
from tests.operating.servers import Gunicorn
from tests.operating.tcp_proxy import TcpProxy
from tests.operating.test_nginx import PausingLLM

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TEST_DATABASE_URL (a PostgreSQL to cut off)")]
ANSWER = "We bake bread for forty cafés in Leeds."


def events(text: str) -> list[tuple[str, dict]]:
    return [(name, json.loads(data)) for name, data in re.findall(r"event: (\w+)\ndata: (.*)\n", text)]


def test_a_streamed_answer_meeting_a_lost_database_ends_with_a_503_event(tmp_path):
    url, drop = new_database("postgresql", tmp_path)
    real = make_url(url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    llm = PausingLLM()
    app = make_app(url)
    server = None
    try:
        with app.app_context():
            db.create_all()
            setup = make_setup()
        server = Gunicorn(tmp_path, free_port(), OPENAI_BASE_URL=llm.url, OPENAI_API_KEY="sk-test",
                          FRANKO_LLM_MODEL="test-model", FRANKO_INSECURE_COOKIES="1",
                          DATABASE_URL=real.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
        base = f"http://127.0.0.1:{server.port}"
        http = requests.Session()
        http.trust_env = False
        start = f"{base}/i/{setup.instance_id}"
        token = CSRF.search(http.get(start, timeout=30).text).group(1)
        reply = http.post(start, data={"csrf_token": token, "first_name": "Ada", "consent": "y"},
                          allow_redirects=False, timeout=30)
        assert reply.status_code == 302, reply.text[:2000]
        chat = base + reply.headers["Location"].split("#")[0].replace("https://franko.example.org", "")
        key = uuid.uuid4().hex
        headers = {"Accept": "text/event-stream", "X-CSRFToken": token}

        llm.armed.set()  # the model stops before the end of its reply, until released
        stream = http.post(chat, data={"answer": ANSWER, "key": key}, headers=headers, stream=True, timeout=60)
        assert stream.status_code == 200
        assert llm.paused.wait(30)
        proxy.cut()  # the database goes away while the reply is being written
        llm.release.set()
        received = stream.content.decode()  # the whole stream, to its end
        assert events(received)[-1] == ("error", {"error": "Franko is briefly unavailable. Please try again in a "
                                                           "few seconds.", "status": 503}), received
        assert "Error handling request" not in server.log.read_text()
        assert "database unavailable while storing a streamed answer" in server.log.read_text()

        proxy.restore()
        llm.armed.clear()
        again = http.post(chat, data={"answer": ANSWER, "key": key}, headers=headers, timeout=60)
        assert again.status_code == 200
        assert events(again.text)[-1][0] == "done"
        with app.app_context():
            (stored,) = db.session.scalars(sa.select(ChatResponse.conversation)).all()
        said = [m["content"] for m in Conversation.load(stored.dump()) if m.get("role") == "user"]
        assert said == [ANSWER]  # once
    finally:
        llm.release.set()
        if server is not None:
            server.stop()
        llm.server.stop()
        proxy.cut()
        with app.app_context():
            db.engine.dispose()
        drop()
