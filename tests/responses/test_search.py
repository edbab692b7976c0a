"""Finding responses: search (name, email, answer text), a date range, the status; previous / next; the CSV per question."""
import csv
import io
import json
from datetime import timedelta

import pytest

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse, utcnow
from tests.factories import make_response
from tests.responses.conftest import add_responses
from tests.responses.test_query_counts import statements

GUIDE = "# Bakery study\n- What do you bake?\n- What is hard about it?"


def names(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return [" ".join(part.split(">", 1)[1].split("</a>")[0].split()) for part in body.split('class="fw-semibold" href=')[1:]]


def conversation(*turns) -> str:
    """Assistant messages about guide questions 0, 1, … and the interviewee's answers."""
    messages = []
    for question, answer in turns:
        messages.append({"role": "assistant", "content": f"Question {question}?", "question": question})
        if answer is not None:
            messages.append({"role": "user", "content": answer})
    return json.dumps(messages)


@pytest.fixture
def seeded(app, instance_id):
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        instance.interview_guide = GUIDE
        now = utcnow()
        make_response(instance, first_name="Ada", interviewee_email="ada@lovelace.example",
                      conversation=conversation((0, "Sourdough loaves"), (1, "Getting up at 4am")),
                      created_at=now - timedelta(days=10))
        make_response(instance, first_name="Bruno", interviewee_second_name="Crème",
                      conversation=conversation((0, "Croissants, pâte feuilletée")), created_at=now - timedelta(days=5))
        make_response(instance, first_name="Cleo", status="in_progress", charged_at=None,
                      conversation=conversation((0, "Rye 50% bread")), clean_transcript=None, created_at=now)
    return instance_id


def page_names(client, instance_id, query: str) -> list[str]:
    return names(client.get(f"/instances/{instance_id}/responses?{query}").get_data(as_text=True))


@pytest.mark.parametrize("query, expected", [
    ("q=ada", ["Ada"]),                       # first name, any case
    ("q=LOVELACE.example", ["Ada"]),          # email
    ("q=sourdough", ["Ada"]),                 # answer text
    ("q=crème", ["Bruno Crème"]),             # second name, non-ASCII
    ("q=feuilletée", ["Bruno Crème"]),        # non-ASCII answer text, stored JSON-escaped
    ("q=50%25", ["Cleo"]),                    # LIKE's % is a plain character
    ("q=_", []),                              # and so is _
    ("q=nobody", []),
])
def test_search_by_name_email_and_answer_text(client, seeded, query, expected):
    assert page_names(client, seeded, query) == expected


def test_date_range_includes_both_days(client, seeded):
    today = utcnow().date()
    assert page_names(client, seeded, f"from={today - timedelta(days=5)}") == ["Cleo", "Bruno Crème"]
    assert page_names(client, seeded, f"to={today - timedelta(days=5)}") == ["Bruno Crème", "Ada"]
    assert page_names(client, seeded, f"from={today - timedelta(days=10)}&to={today - timedelta(days=10)}") == ["Ada"]


def test_bad_dates_are_said_next_to_the_field_and_ignored(client, seeded):
    page = client.get(f"/instances/{seeded}/responses?from=yesterday").get_data(as_text=True)
    assert '<div class="invalid-feedback">Enter a date as YYYY-MM-DD.</div>' in page
    assert names(page) == ["Cleo", "Bruno Crème", "Ada"]
    today = utcnow().date()
    page = client.get(f"/instances/{seeded}/responses?from={today}&to={today - timedelta(days=1)}").get_data(as_text=True)
    assert "The end date is before the start date." in page


def test_filters_combine_and_the_links_keep_them(client, app, seeded):
    assert page_names(client, seeded, "status=completed&q=a") == ["Bruno Crème", "Ada"]
    page = client.get(f"/instances/{seeded}/responses?status=completed&q=ada").get_data(as_text=True)
    assert f'href="/instances/{seeded}/responses.csv?status=completed&amp;q=ada"' in page
    assert "data-auto-submit" in page  # the status applies on change (static/franko.js)


def test_each_row_says_whether_it_was_charged(client, seeded):
    page = client.get(f"/instances/{seeded}/responses").get_data(as_text=True)
    assert page.count('<td data-label="Charged"><span title="Charged: ') == 2
    assert page.count('<td data-label="Charged"><span title="Not charged yet') == 1


def test_previous_and_next_between_responses(client, app, seeded):
    with app.app_context():
        ids = [r.id for r in db.session.query(ChatResponse).order_by(ChatResponse.created_at.desc())]
    newest, middle, oldest = ids
    page = client.get(f"/responses/{middle}").get_data(as_text=True)
    assert f'rel="prev" href="/responses/{newest}"' in page and f'rel="next" href="/responses/{oldest}"' in page
    first = client.get(f"/responses/{newest}").get_data(as_text=True)
    assert 'rel="prev"' not in first.split('id="response-pager"')[1].split("</nav>")[0]


def test_transcript_has_a_copy_button(client, seeded, app):
    with app.app_context():
        response_id = db.session.query(ChatResponse.id).filter_by(interviewee_first_name="Ada").scalar()
    page = client.get(f"/responses/{response_id}").get_data(as_text=True)
    assert 'id="copy-transcript"' in page and 'data-copy-target="#transcript"' in page and 'id="transcript"' in page


def test_csv_has_a_column_per_question_and_the_answers_so_far(client, seeded):
    text = client.get(f"/instances/{seeded}/responses.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [r["interviewee_first_name"] for r in rows] == ["Cleo", "Bruno", "Ada"]  # one row per response
    q1, q2 = "Q1: What do you bake?", "Q2: What is hard about it?"
    assert [(r[q1], r[q2]) for r in rows] == [("Rye 50% bread", ""), ("Croissants, pâte feuilletée", ""),
                                               ("Sourdough loaves", "Getting up at 4am")]
    cleo = rows[0]
    assert cleo["status"] == "in_progress" and "Cleo: Rye 50% bread" in cleo["clean_transcript"]
    assert cleo["charged_at_utc"] == "" and rows[2]["charged_at_utc"] != ""


def test_csv_follows_the_search_and_dates(client, seeded):
    text = client.get(f"/instances/{seeded}/responses.csv?q=sourdough").get_data(as_text=True)
    assert [r["interviewee_first_name"] for r in csv.DictReader(io.StringIO(text[1:]))] == ["Ada"]


def test_query_count_is_constant_with_the_new_filters(client, app, instance_id):
    today = utcnow().date()
    url = f"/instances/{instance_id}/responses?q=person&status=completed&from={today - timedelta(days=30)}&to={today}"
    with app.app_context():
        add_responses(db.session.get(ChatInstance, instance_id), 2)
    few = statements(client, app, url)
    with app.app_context():
        add_responses(db.session.get(ChatInstance, instance_id), 120, start_minutes_ago=5000)
    assert statements(client, app, url) == few
    assert statements(client, app, url + "&page=3") == few
    assert few <= 5
