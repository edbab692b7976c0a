"""Privacy test helpers: whole interviews through the public pages, and a scan of every table for what must be gone."""
import json
import re
import uuid

import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatInstance, Profile
from tests.factories import make_instance, make_profile
from tests.interview.conftest import Interviewee

GUIDE = "# Bakery study\n- What do you do?\n- What is hard about it?"
NOTICE = "We keep your answers **for a year** and share them with [Acme](https://acme.example)."


class Person:
    """An interviewee whose every trace a test looks for: names, email, answers (each said only by them)."""

    def __init__(self, first, second, email, answers):
        self.first, self.second, self.email, self.answers = first, second, email, answers

    @property
    def needles(self) -> list[str]:
        return [self.first, self.second, self.email, *self.answers]


ZEB = Person("Zebulon", "Quarrington", "zebulon.quarrington@example.org",
             ["I bake sourdough bread for market stalls near Whitby harbour every weekend.",
              "Flour deliveries arrive late and the sourdough bread proves unevenly in winter."])
OTHERS = [
    Person("Maude", "Fenwick", "maude@example.org",
           ["I bake sourdough bread and rye loaves for two cafés in Leeds.",
            "Late flour deliveries ruin the morning bake; sourdough bread needs its time."]),
    Person("Ignatius", "Pell", "ignatius@example.org",
           ["I run a market stall selling sourdough bread and pastries.",
            "Flour deliveries are unreliable, so the sourdough bread is sometimes short."]),
]


def make_owner_instance(app, notice=None, webhook=True, **fields):
    """An owner (notified of each response, verified) with one instance; returns (owner_id, instance_id)."""
    with app.app_context():
        from franko.models import utcnow

        owner = make_profile(email="owner-p@example.com", organisation_name="Acme Bakeries", notify_mode="each",
                             email_verified_at=utcnow())
        instance = make_instance(owner, guide=GUIDE)
        if notice:
            instance.privacy_notice, instance.privacy_notice_version = notice, 1
        if webhook:  # a receiver that is down: the delivery (and its body) stays, retrying
            instance.webhook_url, instance.webhook_secret = "http://127.0.0.1:9/hook", "whsec_test"
        for key, value in fields.items():
            setattr(instance, key, value)
        db.session.commit()
        return owner.user_id, instance.id


def interview(app, instance_id, person: Person) -> Interviewee:
    """`person` is interviewed to the end through the public pages (the default agent)."""
    browser = Interviewee(app, instance_id)
    reply = browser.start(first_name=person.first, second_name=person.second, email=person.email)
    assert reply.status_code == 302, reply.get_data(as_text=True)
    for answer in person.answers:
        assert browser.answer(answer).status_code == 302
    assert browser.stored().status == "completed", browser.messages()
    return browser


def private_link_path(html: str) -> str:
    found = re.search(r'href="https?://[^/"]+(/my-interview/[^"]+)"', html)
    assert found, "no private link on the page"
    return found.group(1)


def all_values(app) -> dict[str, list[str]]:
    """Every value of every row of every table, as text (lower-cased), by table."""
    with app.app_context():
        engine = db.engine
        found: dict[str, list[str]] = {}
        with engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names():
                rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
                found[table] = [str(value).lower() for row in rows for value in row if value is not None]
        return found


def leftovers(app, person: Person) -> list[tuple[str, str]]:
    """(table, what) for each of the person's names, email and answers still found in any table, in any form."""
    values = all_values(app)
    hits = []
    for needle in person.needles:
        forms = {needle.lower(), json.dumps(needle, ensure_ascii=True)[1:-1].lower(),
                 json.dumps(needle, ensure_ascii=False)[1:-1].lower()}
        fragments = forms | ({needle.lower()[:40]} if len(needle) > 40 else set())
        for table, texts in values.items():
            if any(f in text for text in texts for f in fragments):
                hits.append((table, needle))
    return hits


def themes_of(app, instance_id):
    with app.app_context():
        return db.session.get(ChatInstance, instance_id).themes


def owner_counters(app, owner_id):
    with app.app_context():
        p = db.session.get(Profile, owner_id)
        return p.total_responses_used, p.total_responses_used_this_month, p.total_responses_available


def uid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
