"""Billing fixtures: a fake Stripe API on a local port, and signed webhook deliveries."""
import itertools
import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

import pytest
import stripe

from tests.servers import LocalServer

WEBHOOK_SECRET = "whsec_test_secret"
_event_ids = itertools.count(1)


class FakeStripe:
    """Stripe's API as far as Franko uses it: records each request, answers with a session object."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: int | None = None  # an HTTP status to answer every request with
        self.checkout_url = "https://checkout.stripe.test/c/pay/cs_test_1"  # where Checkout "is"
        self.cancelled: list[str] = []  # subscriptions cancelled through the API
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "form": dict(parse_qsl(body, keep_blank_values=True))})
                if fake.fail_with:
                    payload = {"error": {"type": "api_error", "message": "Stripe is down"}}
                    status = fake.fail_with
                elif self.path == "/v1/checkout/sessions":
                    payload = {"id": "cs_test_1", "object": "checkout.session", "url": fake.checkout_url}
                    status = 200
                elif self.path == "/v1/billing_portal/sessions":
                    payload = {"id": "bps_test_1", "object": "billing_portal.session",
                               "url": "https://billing.stripe.test/p/session/bps_test_1"}
                    status = 200
                else:
                    payload, status = {"error": {"type": "invalid_request_error", "message": "no such path"}}, 404
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_DELETE(self):  # noqa: N802: cancelling a subscription (DELETE /v1/subscriptions/{id})
                fake.requests.append({"method": "DELETE", "path": self.path, "headers": dict(self.headers), "form": {}})
                sub_id = self.path.rsplit("/", 1)[-1]
                if fake.fail_with:
                    payload, status = {"error": {"type": "api_error", "message": "Stripe is down"}}, fake.fail_with
                elif self.path.startswith("/v1/subscriptions/") and sub_id not in fake.cancelled:
                    fake.cancelled.append(sub_id)
                    payload, status = {"id": sub_id, "object": "subscription", "status": "canceled"}, 200
                else:
                    payload = {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                         "message": f"No such subscription: '{sub_id}'"}}
                    status = 404
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802: the hosted Checkout page, for browser tests
                data = b"<!doctype html><title>Fake Checkout</title><h1>Fake Stripe Checkout</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep the test output quiet
                pass

        self._server = LocalServer(Handler)
        self.url = self._server.base

    def stop(self):
        self._server.stop()


@pytest.fixture
def fake_stripe():
    server = FakeStripe()
    yield server
    server.stop()


@pytest.fixture
def app_config(fake_stripe):
    """Billing on: a secret key, a webhook secret, and the API pointed at the fake server."""
    return {"STRIPE_SECRET_KEY": "sk_test_franko", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_API_BASE": fake_stripe.url}


def make_event(type_: str, obj: dict, *, id_: str | None = None, created: int | None = None) -> dict:
    return {"id": id_ or f"evt_test_{next(_event_ids)}", "object": "event", "type": type_,
            "created": created if created is not None else int(time.time()),
            "api_version": "2025-01-01", "livemode": False, "data": {"object": obj}}


def subscription(customer="cus_1", price="price_starter_test", status="active", id_="sub_1", metadata=None) -> dict:
    return {"id": id_, "object": "subscription", "customer": customer, "status": status,
            "metadata": metadata or {},
            "items": {"object": "list", "data": [{"id": "si_1", "object": "subscription_item",
                                                  "price": {"id": price, "object": "price"}}]}}


def signed_post(client, event: dict, secret: str = WEBHOOK_SECRET, header: str | None = None, body: str | None = None):
    """Deliver `event` as Stripe does: the raw JSON body, signed with Stripe's own helper."""
    payload = body if body is not None else json.dumps(event)
    if header is None:
        header = stripe.WebhookSignature.generate_signature_header(payload, secret)
    return client.post("/billing/webhook", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": header})
