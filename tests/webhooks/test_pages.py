"""The webhook page: the URL form, the secret, the test event, the delivery log and replay; owners only, CSRF on."""
import json
import re
import uuid
from datetime import timedelta

import pytest

from franko.extensions import db
from franko.models import ChatInstance, WebhookDelivery, utcnow
from franko.webhooks.services import DELIVERIES_PER_PAGE, event_body
from tests.factories import make_instance, make_response, profile_by_email
from tests.webhooks.conftest import deliveries, hook_up
from tests.webhooks.verifiers import openssl_verifies


@pytest.fixture
def instance_id(app, owner):
    with app.app_context():
        return make_instance(profile_by_email("owner@example.com"), guide="# Bakery <b>study</b>\n- What?").id


def stored(app, instance_id) -> ChatInstance:
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        db.session.expunge(instance)
        return instance


def log_row(app, instance_id, n=0, **fields) -> uuid.UUID:
    """A delivery in the log, `n` minutes old."""
    with app.app_context():
        delivery_id, at = uuid.uuid4(), utcnow() - timedelta(minutes=n)
        values = {"event": "ping", "url": "https://example.com/hook", "status": "failed", "attempts": 7,
                  "response_code": 500, "error": "HTTP 500: <b>down</b>", **fields}
        db.session.add(WebhookDelivery(id=delivery_id, chat_instance_id=instance_id, created_at=at, updated_at=at,
                                       body=event_body(delivery_id, values["event"], {"n": n}, at), **values))
        db.session.commit()
        return delivery_id


def test_instance_page_links_to_the_webhook_page(client, instance_id):
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert f'href="/instances/{instance_id}/webhook"' in page


def test_saving_a_url_makes_a_secret_and_clearing_keeps_it(app, client, instance_id):
    page = client.get(f"/instances/{instance_id}/webhook")
    assert page.status_code == 200 and "Nothing sent yet" in page.get_data(as_text=True)
    saved = client.post(f"/instances/{instance_id}/webhook", data={"url": " https://example.com/hook "})
    assert saved.status_code == 302
    instance = stored(app, instance_id)
    assert instance.webhook_url == "https://example.com/hook"
    assert instance.webhook_secret.startswith("whsec_")
    page = client.get(f"/instances/{instance_id}/webhook").get_data(as_text=True)
    assert instance.webhook_secret in page and "Send a test event" in page
    assert "The webhook URL is saved" in page
    client.post(f"/instances/{instance_id}/webhook", data={"url": ""})
    cleared = stored(app, instance_id)
    assert cleared.webhook_url is None and cleared.webhook_secret == instance.webhook_secret
    assert "Send a test event" not in client.get(f"/instances/{instance_id}/webhook").get_data(as_text=True)


@pytest.mark.parametrize("url, message", [
    ("ftp://example.com/hook", "Use an address starting with https:// (or http://)."),
    ("javascript:alert(1)", "Use an address starting with https:// (or http://)."),
    ("https://", "The URL needs a host name"),
    ("https://exa mple.com/", "A URL cannot contain spaces."),
    ("https://example.com:99999/", "This is not a valid URL."),
    ("https://user:pw@example.com/", "Leave user names and passwords out of the URL"),
    ("https://example.com/" + "a" * 2000, "Use a URL of at most 2000 characters."),
])
def test_a_bad_url_gets_a_message_next_to_the_field_and_changes_nothing(app, client, instance_id, url, message):
    with app.app_context():
        hook_up(instance_id, "https://example.com/kept")
    answer = client.post(f"/instances/{instance_id}/webhook", data={"url": url})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    field = re.search(r'<input[^>]*id="url"[^>]*>\s*(<div class="form-text">.*?</div>\s*)?'
                      r'<div class="invalid-feedback">([^<]*)</div>', page, re.S)
    assert field and "is-invalid" in field.group(0) and message in field.group(2)
    assert stored(app, instance_id).webhook_url == "https://example.com/kept"


def test_rotate_secret_makes_a_new_one(app, client, instance_id):
    with app.app_context():
        before = hook_up(instance_id, "https://example.com/hook")
    assert client.post(f"/instances/{instance_id}/webhook/secret").status_code == 302
    after = stored(app, instance_id).webhook_secret
    assert after != before and after.startswith("whsec_")


def test_test_event_reaches_the_receiver(app, client, instance_id, receiver):
    with app.app_context():
        secret = hook_up(instance_id, receiver.url)
    assert client.post(f"/instances/{instance_id}/webhook/test").status_code == 302
    [got] = receiver.requests
    assert got.headers["Franko-Event"] == "ping" and openssl_verifies(got.headers["Franko-Signature"], got.body, secret)
    event = json.loads(got.body)
    assert event["type"] == "ping" and event["data"]["instance"]["id"] == str(instance_id)
    [row] = deliveries(app)
    assert (row.event, row.status, row.chat_response_id) == ("ping", "delivered", None)
    page = client.get(f"/instances/{instance_id}/webhook").get_data(as_text=True)
    assert "<code>ping</code>" in page and "Delivered" in page


def test_test_event_without_a_url_is_refused_with_a_message(app, client, instance_id):
    answer = client.post(f"/instances/{instance_id}/webhook/test", follow_redirects=True)
    assert "Save a webhook URL first." in answer.get_data(as_text=True)
    assert deliveries(app) == []


def test_replay_from_the_log_sends_it_again(app, client, instance_id, receiver):
    with app.app_context():
        hook_up(instance_id, receiver.url)
    delivery_id = log_row(app, instance_id)
    page = client.get(f"/instances/{instance_id}/webhook").get_data(as_text=True)
    assert f'action="/instances/{instance_id}/webhook/deliveries/{delivery_id}/replay"' in page
    assert "HTTP 500: &lt;b&gt;down&lt;/b&gt;" in page  # escaped
    answer = client.post(f"/instances/{instance_id}/webhook/deliveries/{delivery_id}/replay")
    assert answer.headers["Location"].endswith(f"/instances/{instance_id}/webhook")
    [got] = receiver.requests
    [row] = deliveries(app)
    assert got.headers["Franko-Delivery"] == str(delivery_id) and got.body == row.body.encode()
    assert (row.status, row.attempts, row.response_code, row.url) == ("delivered", 1, 200, receiver.url)
    back = client.post(f"/instances/{instance_id}/webhook/deliveries/{delivery_id}/replay", data={"back": "delivery"})
    assert back.headers["Location"].endswith(f"/webhook/deliveries/{delivery_id}") and len(receiver.requests) == 2


def test_replay_without_a_url_is_refused(app, client, instance_id):
    delivery_id = log_row(app, instance_id)
    answer = client.post(f"/instances/{instance_id}/webhook/deliveries/{delivery_id}/replay", follow_redirects=True)
    assert "no webhook URL any more" in answer.get_data(as_text=True)
    assert deliveries(app)[0].status == "failed"


def test_delivery_page_shows_the_body_escaped(app, client, instance_id):
    delivery_id = log_row(app, instance_id, event="response.completed")
    with app.app_context():
        row = db.session.get(WebhookDelivery, delivery_id)
        row.body = json.dumps({"id": str(delivery_id), "data": {"title": "<script>alert(1)</script>"}})
        db.session.commit()
    page = client.get(f"/instances/{instance_id}/webhook/deliveries/{delivery_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert str(delivery_id) in page


def test_log_is_newest_first_and_paginated(app, client, instance_id):
    ids = [log_row(app, instance_id, n=n) for n in range(DELIVERIES_PER_PAGE + 2)]  # ids[0] is the newest
    first = client.get(f"/instances/{instance_id}/webhook").get_data(as_text=True)
    assert first.index(str(ids[0])) < first.index(str(ids[1]))
    assert str(ids[-1]) not in first and 'rel="next"' in first
    second = client.get(f"/instances/{instance_id}/webhook?page=2").get_data(as_text=True)
    assert str(ids[-1]) in second and str(ids[-2]) in second and str(ids[0]) not in second
    assert "Page 2" in second


def test_other_owners_get_404(app, client, owner, stranger, receiver):
    their_instance, _ = stranger
    with app.app_context():
        hook_up(their_instance, receiver.url)
    their_delivery = log_row(app, their_instance)
    base = f"/instances/{their_instance}/webhook"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/deliveries/{their_delivery}").status_code == 404
    for path, data in [(base, {"url": "https://evil.example/"}), (f"{base}/secret", {}), (f"{base}/test", {}),
                       (f"{base}/deliveries/{their_delivery}/replay", {})]:
        assert client.post(path, data=data).status_code == 404, path
    instance = stored(app, their_instance)
    assert instance.webhook_url == receiver.url and receiver.requests == []
    assert [r.status for r in deliveries(app)] == ["failed"]


def test_a_delivery_of_another_instance_is_404_under_mine(app, client, instance_id, stranger):
    their_delivery = log_row(app, stranger[0])
    assert client.get(f"/instances/{instance_id}/webhook/deliveries/{their_delivery}").status_code == 404
    assert client.post(f"/instances/{instance_id}/webhook/deliveries/{their_delivery}/replay").status_code == 404


def test_posts_without_csrf_are_refused_and_change_nothing(app, client, instance_id, receiver):
    with app.app_context():
        secret = hook_up(instance_id, receiver.url)
    delivery_id = log_row(app, instance_id)
    client.auto_csrf = False
    base = f"/instances/{instance_id}/webhook"
    for path, data in [(base, {"url": "https://evil.example/"}), (f"{base}/secret", {}), (f"{base}/test", {}),
                       (f"{base}/deliveries/{delivery_id}/replay", {})]:
        assert client.post(path, data=data).status_code == 400, path
    instance = stored(app, instance_id)
    assert (instance.webhook_url, instance.webhook_secret) == (receiver.url, secret)
    assert receiver.requests == [] and [r.status for r in deliveries(app)] == ["failed"]


def test_logged_out_visitors_are_sent_to_login(app, client, instance_id):
    client.post("/auth/logout")
    answer = client.get(f"/instances/{instance_id}/webhook")
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]


def test_deleting_the_instance_deletes_its_deliveries(app, client, instance_id):
    with app.app_context():
        response_id = make_response(db.session.get(ChatInstance, instance_id)).id
    log_row(app, instance_id, event="response.completed", chat_response_id=response_id)
    log_row(app, instance_id)
    assert client.post(f"/instances/{instance_id}/delete").status_code == 302
    assert deliveries(app) == []
