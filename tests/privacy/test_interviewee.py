"""The interviewee's private link: read, download (JSON, text), delete; expired, tampered and another response's links."""
import json
import re
import time

import pytest
import sqlalchemy as sa

from franko.audit.models import AuditEntry
from franko.extensions import db
from franko.models import ChatResponse
from franko.privacy import tokens
from tests.conftest import email_link
from tests.privacy.helpers import OTHERS, ZEB, interview, make_owner_instance, owner_counters, private_link_path


def test_the_end_page_shows_the_link_and_it_reads_the_transcript(client, done):
    _, _, browser, path = done
    page = browser.chat().get_data(as_text=True)
    assert 'id="interview-closed" class="alert alert-success"' in page  # shown: the interview is over
    html = client.get(path).get_data(as_text=True)  # any browser: the link is the key
    assert ZEB.answers[0] in html and ZEB.answers[1] in html and "What do you do?" in html
    assert "Download as JSON" in html and "Delete my interview" in html


def test_the_link_is_emailed_when_an_email_was_given(app, client, done):
    _, _, browser, path = done
    emailed = email_link(app, ZEB.email)
    assert emailed.startswith("/my-interview/")
    with app.app_context():  # made at another moment than the page's, for the same response
        assert tokens.response_id_of(emailed.rsplit("/", 1)[1]) == browser.response_id
    assert ZEB.answers[0] in client.get(emailed).get_data(as_text=True)


def test_no_email_no_email_sent(app):
    _, instance_id = make_owner_instance(app, webhook=False)
    from tests.privacy.helpers import Person

    interview(app, instance_id, Person("Nomail", "Person", "", ["I make cheese in a cave near the river.", "The cave floods every spring and the cheese spoils."]))
    with app.app_context():
        from franko.mail.services import outbox

        assert [m for m in outbox() if "read, download or delete" in m.subject] == []


def test_downloads_json_and_text_and_the_owner_sees_a_download_line(client, app, done):
    owner_id, instance_id, browser, path = done
    reply = client.get(path + "/transcript.json")
    assert reply.status_code == 200 and reply.mimetype == "application/json"
    assert "attachment" in reply.headers["Content-Disposition"]
    data = json.loads(reply.data)
    assert data["interviewee"] == {"first_name": ZEB.first, "second_name": ZEB.second, "email": ZEB.email}
    assert [m["content"] for m in data["messages"] if m["role"] == "you"] == ZEB.answers
    assert data["consent"]["at"] is not None
    text = client.get(path + "/transcript.txt")
    assert text.mimetype == "text/plain" and f"You: {ZEB.answers[0]}" in text.get_data(as_text=True)
    assert client.get(path + "/transcript.pdf").status_code == 404
    with app.app_context():
        lines = db.session.execute(sa.select(AuditEntry.action, AuditEntry.owner_id, AuditEntry.detail)
                                   .where(AuditEntry.action == "response.downloaded_by_interviewee")).all()
    assert [(a, o, d) for a, o, d in lines] == [("response.downloaded_by_interviewee", owner_id, {"format": "json"}),
                                                ("response.downloaded_by_interviewee", owner_id, {"format": "txt"})]


def test_deleting_needs_the_confirmation_and_csrf(client, app, done):
    _, _, browser, path = done
    assert client.post(path + "/delete", data={}).status_code == 400  # not confirmed
    client.auto_csrf = False
    assert client.post(path + "/delete", data={"confirm": "y"}).status_code == 400  # no CSRF token
    assert browser.stored() is not None


def test_deleting_removes_it_keeps_the_charge_and_tells_the_owner(client, app, owner, done):
    owner_id, instance_id, browser, path = done
    counters = owner_counters(app, owner_id)
    assert counters[0] == 1  # charged at the first answer
    reply = client.post(path + "/delete", data={"confirm": "y"})
    assert reply.status_code == 200 and "Your interview was deleted" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ChatResponse, browser.response_id) is None
        line = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "response.deleted_by_interviewee")).scalar_one()
        assert (line.owner_id, line.actor_id, line.subject) == (owner_id, None, f"instance {instance_id}")
        assert line.detail["charged"] is True and ZEB.first not in json.dumps(line.detail)
    assert owner_counters(app, owner_id) == counters  # nothing given back: it was charged
    # The link now says it was deleted; the interview's own page says the link leads nowhere.
    gone = client.get(path)
    assert gone.status_code == 410 and "deleted" in gone.get_data(as_text=True)
    assert client.post(path + "/delete", data={"confirm": "y"}).status_code == 410
    assert browser.chat().status_code == 404
    # The owner's responses page says so, without any content.
    from tests.factories import log_in

    log_in(client, owner_id)
    html = client.get(f"/instances/{instance_id}/responses").get_data(as_text=True)
    assert "A response was deleted at the interviewee&#39;s request" in html or \
        "A response was deleted at the interviewee's request" in html
    assert ZEB.first not in html


def test_an_expired_link_is_refused(app, client, done, monkeypatch):
    _, _, browser, _ = done
    now = time.time()
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now - 30 * 24 * 3600 - 5)  # made 30 days ago
    with app.app_context():
        old = tokens.make_token(browser.response_id)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now)
    reply = client.get(f"/my-interview/{old}")
    assert reply.status_code == 410 and "expired" in reply.get_data(as_text=True)
    assert client.post(f"/my-interview/{old}/delete", data={"confirm": "y"}).status_code == 410
    assert browser.stored() is not None
    with app.app_context():
        recent = tokens.make_token(browser.response_id)
    assert client.get(f"/my-interview/{recent}").status_code == 200


@pytest.mark.parametrize("change", ["signature", "payload", "truncated", "garbage"])
def test_a_tampered_link_is_refused(client, done, change):
    _, _, browser, path = done
    token = path.rsplit("/", 1)[1]
    payload, stamp, signature = token.split(".")
    tampered = {
        # Not the very last character: its low bits are padding, so another letter may decode to the same bytes.
        "signature": token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:],
        "payload": payload[:-2] + ("xx" if not payload.endswith("xx") else "yy") + "." + stamp + "." + signature,
        "truncated": token[:len(token) // 2],
        "garbage": "not-a-token",
    }[change]
    reply = client.get(f"/my-interview/{tampered}")
    assert reply.status_code == 404 and "not valid" in reply.get_data(as_text=True)
    assert client.post(f"/my-interview/{tampered}/delete", data={"confirm": "y"}).status_code == 404
    assert browser.stored() is not None


def test_a_link_reads_only_its_own_response(app, client, done):
    _, instance_id, zeb, path = done
    other = interview(app, instance_id, OTHERS[0])
    other_path = private_link_path(other.chat().get_data(as_text=True))
    assert other_path != path
    html = client.get(other_path).get_data(as_text=True)
    assert OTHERS[0].answers[0] in html and ZEB.answers[0] not in html
    # A token made for one response with the other's id swapped in fails the signature.
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        forged_payload = tokens._serializer().dump_payload({"r": other.response_id.hex})
    from itsdangerous import base64_encode

    forged = base64_encode(forged_payload).decode() + "." + ".".join(token.split(".")[1:])
    assert client.get(f"/my-interview/{forged}").status_code == 404
    assert client.post(other_path + "/delete", data={"confirm": "y"}).status_code == 200
    assert zeb.stored() is not None  # deleting the other's left this one


def test_a_token_made_with_another_key_is_refused(app, client, done):
    _, _, browser, _ = done
    from itsdangerous import URLSafeTimedSerializer

    foreign = URLSafeTimedSerializer("another-key", salt=tokens.SALT).dumps({"r": browser.response_id.hex})
    assert client.get(f"/my-interview/{foreign}").status_code == 404


def test_the_token_is_not_written_to_the_log(app, client, done, caplog):
    import logging

    _, _, _, path = done
    token = path.rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="franko"):
        client.get(path)
    assert token not in caplog.text and "/my-interview/<token>" in caplog.text


def test_the_link_on_the_page_is_unguessable_and_names_no_id(done):
    _, _, browser, path = done
    assert str(browser.response_id) not in path and browser.response_id.hex not in path
    assert re.fullmatch(r"/my-interview/[A-Za-z0-9_\-.]{40,}", path)


def test_the_email_job_runs_outside_a_request_with_links_on_the_base_url(app, done):
    _, _, browser, _ = done
    app.config["FRANKO_BASE_URL"] = "https://franko.example.org"
    from franko.mail.services import outbox
    from franko.privacy.jobs import email_private_link

    with app.app_context():
        email_private_link(str(browser.response_id))  # as the worker runs it: no request anywhere
        message = [m for m in outbox() if m.to == ZEB.email][-1]
    assert "https://franko.example.org/my-interview/" in message.body and "Hello Zebulon" in message.body
