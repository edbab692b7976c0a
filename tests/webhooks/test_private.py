"""Production's rule: no deliveries to loopback, private or link-local addresses, checked after DNS resolution."""
import pytest

from franko.extensions import db
from franko.webhooks.services import queue_event
from franko.webhooks.transport import is_public
from tests.webhooks.conftest import deliveries
from tests.webhooks.test_delivery import completed_response


@pytest.fixture
def app_config():
    return {"FRANKO_WEBHOOK_ALLOW_PRIVATE": False}


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_addresses_are_refused_at_delivery(app, receiver, host):
    _, response_id, _ = completed_response(app, f"http://{host}:{receiver.port}/hooks/franko")
    with app.app_context():
        queue_event("response.completed", str(response_id))
        db.session.commit()  # the delivery and its job, queued together
    [row] = deliveries(app)
    assert (row.status, row.attempts, row.response_code) == ("failed", 1, None)  # no point retrying
    assert f"Refused: {host} resolves to a private or local address" in row.error
    assert receiver.requests == []


@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("2606:4700:4700::1111", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fd00::1", False), ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),
])
def test_is_public(address, public):
    assert is_public(address) is public
