"""The responses list: newest first, pages without counting, filters, deleting one, 404s."""
import re

import sqlalchemy as sa
import pytest

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse
from tests.responses.conftest import add_responses


def seed(app, instance_id, count, **kwargs):
    with app.app_context():
        return add_responses(db.session.get(ChatInstance, instance_id), count, **kwargs)


def names(page: str) -> list[str]:
    return re.findall(r'class="fw-semibold" href="/responses/[^"]+">(Person\d+)', page)


def test_anonymous_is_sent_to_login(client, app, stranger):
    instance_id, response_id = stranger
    for url in (f"/instances/{instance_id}/responses", f"/instances/{instance_id}/responses.csv",
                f"/responses/{response_id}"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/auth/login?next="), url
    assert client.post(f"/responses/{response_id}/delete").status_code == 302


def test_empty_state(client, instance_id):
    page = client.get(f"/instances/{instance_id}/responses").get_data(as_text=True)
    assert "No responses yet" in page and "Get the link" in page


def test_newest_first_paginated_without_counting(client, app, instance_id):
    seed(app, instance_id, 30)
    first = client.get(f"/instances/{instance_id}/responses").get_data(as_text=True)
    assert names(first) == [f"Person{i}" for i in range(29, 4, -1)]  # 25 per page
    assert f'rel="next" href="/instances/{instance_id}/responses?page=2"' in first
    second = client.get(f"/instances/{instance_id}/responses?page=2").get_data(as_text=True)
    assert names(second) == [f"Person{i}" for i in range(4, -1, -1)]
    assert f'rel="prev" href="/instances/{instance_id}/responses?page=1"' in second
    assert 'rel="next" href="#"' in second  # exactly 30: no third page, found without a count
    past = client.get(f"/instances/{instance_id}/responses?page=9").get_data(as_text=True)
    assert "There are no responses on this page." in past


@pytest.mark.parametrize("page", ["0", "-3", "abc", ""])
def test_bad_page_numbers_show_the_first_page(client, app, instance_id, page):
    seed(app, instance_id, 2)
    response = client.get(f"/instances/{instance_id}/responses?page={page}")
    assert response.status_code == 200
    assert names(response.get_data(as_text=True)) == ["Person1", "Person0"]


def test_filter_by_status(client, app, instance_id):
    seed(app, instance_id, 2, status="completed")
    seed(app, instance_id, 3, status="abandoned", start_minutes_ago=100)
    page = client.get(f"/instances/{instance_id}/responses?status=abandoned").get_data(as_text=True)
    assert names(page) == ["Person2", "Person1", "Person0"]
    assert '<option value="abandoned" selected>' in page
    assert f'href="/instances/{instance_id}/responses.csv?status=abandoned"' in page
    empty = client.get(f"/instances/{instance_id}/responses?status=in_progress").get_data(as_text=True)
    assert "No in progress responses" in empty


def test_unknown_status_says_so_and_shows_everything(client, app, instance_id):
    seed(app, instance_id, 2)
    page = client.get(f"/instances/{instance_id}/responses?status=<b>weird</b>").get_data(as_text=True)
    assert "Unknown status: showing every response." in page
    assert "<b>weird</b>" not in page
    assert len(names(page)) == 2


def test_row_shows_interviewee_status_start_duration_coverage(client, app, instance_id):
    seed(app, instance_id, 1, interviewee_email="p@example.com")
    page = client.get(f"/instances/{instance_id}/responses").get_data(as_text=True)
    assert "Person0" in page and "p@example.com" in page and "Completed" in page
    assert "5 min" in page and "2/2" in page


def test_delete_one_response(client, app, instance_id):
    ids = seed(app, instance_id, 2)
    response = client.post(f"/responses/{ids[0]}/delete")
    assert response.status_code == 302 and response.location == f"/instances/{instance_id}/responses"
    assert "The response of Person0 was deleted." in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(ChatResponse.id)).all() == [ids[1]]


def test_another_owners_response_is_404_and_not_deleted(client, app, owner, stranger):
    _, response_id = stranger
    assert client.get(f"/responses/{response_id}").status_code == 404
    assert client.post(f"/responses/{response_id}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(ChatResponse, response_id) is not None


XSS = "<script>alert(1)</script>"


def test_interviewee_fields_are_escaped(client, app, instance_id):
    with app.app_context():
        add_responses(db.session.get(ChatInstance, instance_id), 1)
        r = db.session.scalars(sa.select(ChatResponse)).one()
        r.interviewee_first_name, r.interviewee_second_name, r.interviewee_email = XSS, XSS, XSS
        r.completion_status = XSS
        db.session.commit()
    for url in (f"/instances/{instance_id}/responses", "/"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
