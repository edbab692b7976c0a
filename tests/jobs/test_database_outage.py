"""The database goes away (a real PostgreSQL reached through a proxy the test cuts) just as a real worker's email is
accepted by the SMTP server and its webhook answered 200: both are recorded once the database is back, nothing is
sent twice and nothing stays "running".

Found on the two-server cluster (bench/cluster.py): the write recording the effect failed, the release of
the email's claim failed too, and the worker's heartbeat then renewed that job's lease and claim for as
long as it lived: the job stayed "running" and its delivery "pending" until the worker was restarted,
when the email went out a second time.
"""
import os
import signal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from franko.extensions import db
from franko.jobs.models import JobClaim, QueuedJob
from franko.models import ChatResponse, WebhookDelivery
from tests.conftest import BACKENDS, make_app, new_database
from tests.factories import make_instance
from tests.jobs.faults import HoldingReceiver, HoldingSMTP, Process, wait_for
from tests.notifications.conftest import complete_interview, make_owner
from tests.operating.tcp_proxy import TcpProxy
from tests.webhooks.conftest import hook_up

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TEST_DATABASE_URL (a PostgreSQL to cut off)")]
GUIDE = "# Bakery study\n- What do you do?\n- What is hard about it?\n- What would help?"


def test_an_effect_done_while_the_database_is_away_is_recorded_once_it_is_back(tmp_path):
    url, drop = new_database("postgresql", tmp_path)
    real = make_url(url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    smtp, receiver = HoldingSMTP(), HoldingReceiver()
    app = make_app(url, FRANKO_QUEUE_IMMEDIATE=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False,
                   FRANKO_BASE_URL="http://127.0.0.1")
    worker = None
    try:
        with app.app_context():
            db.create_all()
            instance_id = make_instance(make_owner("each"), guide=GUIDE).id
            hook_up(instance_id, receiver.url)
        env = {**os.environ, "FLASK_DEBUG": "0", "SECRET_KEY": "outage-test", "FRANKO_BASE_URL": "http://127.0.0.1",
               "DATABASE_URL": real.set(host="127.0.0.1", port=proxy.port).render_as_string(False),
               "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_USE_TLS": "0",
               "FRANKO_WEBHOOK_ALLOW_PRIVATE": "1", "FRANKO_JOB_LEASE": "20", "FRANKO_WORKER_POLL": "0.1",
               "FRANKO_THEMES_DELAY": "1"}
        env.pop("TEST_DATABASE_URL", None)
        worker = Process.worker(env, str(tmp_path / "worker.log"))
        smtp.hold.set()
        receiver.hold.set()
        complete_interview(app, instance_id, first_name="Ada")
        assert wait_for(lambda: smtp.waiting >= 1 and receiver.waiting >= 1, 60), worker.output()

        proxy.cut()  # the database goes away while both wait for their answer
        smtp.hold.clear()
        receiver.hold.clear()
        assert wait_for(lambda: len(smtp.accepted) == 1 and len(receiver.answered) == 1, 30), worker.output()
        proxy.restore()

        def settled() -> bool:
            with app.app_context():
                try:
                    return (db.session.scalars(sa.select(QueuedJob.name)).all() == []
                            and db.session.scalar(sa.select(sa.func.count()).select_from(JobClaim)) == 0
                            and db.session.scalar(sa.select(ChatResponse.notified_at)) is not None
                            and db.session.scalar(sa.select(WebhookDelivery.status)) == "delivered")
                finally:
                    db.session.remove()

        assert wait_for(settled, 60), worker.output()
        worker.signal(signal.SIGTERM)
        assert worker.wait(40) == 0
        assert len(smtp.accepted) == 1 and smtp.accepted[0]["subject"].startswith("New response: Ada"), smtp.accepted
        assert len(smtp.arrived) == 1 and len(receiver.arrived) == 1  # nothing was sent a second time
        assert "the database is unreachable" in worker.output()
    finally:
        if worker is not None and not worker.closed:
            worker.signal(signal.SIGKILL)
            worker.wait(10)
        smtp.stop()
        receiver.stop()
        proxy.cut()
        with app.app_context():
            db.engine.dispose()
        drop()
