"""The usage table: sorting, search, pagination, its query cost, the CSV export and the chart."""
import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event

from franko.admin.chart import responses_per_day
from franko.extensions import db
from franko.models import utcnow
from tests.factories import make_instance, make_profile, make_response


@pytest.fixture
def orgs(app, admin):
    """Four organisations besides the admin's own account; returns email -> user_id."""
    with app.app_context():
        specs = [
            dict(email="alice@example.com", organisation_name="Acme Bakery", plan="free",
                 total_responses_used_this_month=9, total_responses_available=1, total_responses_used=30,
                 total_chat_instances_used=1),
            dict(email="bob@example.com", organisation_name="Bolt Labs", plan="starter",
                 total_responses_used_this_month=50, total_responses_available=50, total_responses_used=50,
                 total_chat_instances_used=3),
            dict(email="carol@example.com", organisation_name="100% Organic_Co", plan="pro",
                 total_responses_used_this_month=5, total_responses_available=995, total_responses_used=700,
                 total_chat_instances_used=10),
            dict(email="dave@example.com", organisation_name=None, plan="free"),
        ]
        return {spec["email"]: make_profile(**spec).user_id for spec in specs}


def emails(response) -> list[str]:
    """The owners' emails in the table, top to bottom."""
    assert response.status_code == 200
    return re.findall(r'<a href="/admin/orgs/[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def test_table_shows_each_organisations_usage(client, orgs):
    html = client.get("/admin/").get_data(as_text=True)
    bob = html[html.index("bob@example.com"):html.index("carol@example.com")]
    assert "Bolt Labs" in bob and ">starter<" in bob.replace("text-capitalize\">", ">")
    assert "50 / 100" in bob  # this period / quota, with its bar
    assert 'aria-valuenow="50"' in bob and "w-50" in bob
    assert "3 / 5" in bob  # instances / cap
    assert "Organisations 1–5 of 5" in html
    assert 'src="/admin/chart/responses-per-day.svg"' in html


def test_default_order_is_by_email(client, orgs):
    assert emails(client.get("/admin/")) == [
        "admin@example.com", "alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]


@pytest.mark.parametrize("args,expected_first", [
    ("sort=used&dir=desc", ["bob@example.com", "alice@example.com", "carol@example.com"]),
    ("sort=available&dir=desc", ["carol@example.com", "bob@example.com"]),
    ("sort=lifetime&dir=desc", ["carol@example.com", "bob@example.com", "alice@example.com"]),
    ("sort=instances&dir=desc", ["carol@example.com", "bob@example.com"]),
    ("sort=plan&dir=desc", ["carol@example.com", "bob@example.com"]),
    ("sort=org", ["carol@example.com", "alice@example.com", "bob@example.com"]),  # '1' < 'a'; no name last
    ("sort=email&dir=desc", ["dave@example.com", "carol@example.com", "bob@example.com"]),
])
def test_sorting(client, orgs, args, expected_first):
    assert emails(client.get(f"/admin/?{args}"))[:len(expected_first)] == expected_first


def test_unknown_sort_key_falls_back_to_email(client, orgs):
    assert emails(client.get("/admin/?sort=password_hash;drop&dir=sideways"))[0] == "admin@example.com"


def test_sort_links_toggle_direction_and_keep_the_search(client, orgs):
    html = client.get("/admin/?q=example&sort=used&dir=desc").get_data(as_text=True)
    assert 'href="/admin/?q=example&amp;sort=used&amp;dir=asc"' in html
    assert 'aria-sort="descending"' in html


@pytest.mark.parametrize("q,expected", [
    ("ACME", ["alice@example.com"]),  # organisation name, any case
    ("Bob@", ["bob@example.com"]),  # email
    ("%", ["carol@example.com"]),  # a literal %, not a wildcard
    ("_", ["carol@example.com"]),  # a literal _, not a wildcard
    ("nothing-like-this", []),
])
def test_search(client, orgs, q, expected):
    assert emails(client.get("/admin/", query_string={"q": q})) == expected


def test_search_by_exact_user_id(client, orgs):
    assert emails(client.get("/admin/", query_string={"q": orgs["dave@example.com"]})) == ["dave@example.com"]


def test_search_text_is_escaped_in_the_page(client, orgs):
    html = client.get("/admin/", query_string={"q": '"><script>alert(1)</script>'}).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "No organisation matches." in html


def test_organisation_names_are_escaped(client, admin, app):
    with app.app_context():
        make_profile(organisation_name="<img src=x onerror=alert(1)>")
    html = client.get("/admin/").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


class TestPagination:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "FRANKO_ADMIN_PER_PAGE": 2}

    def test_pages_of_two(self, client, orgs):
        assert emails(client.get("/admin/")) == ["admin@example.com", "alice@example.com"]
        assert emails(client.get("/admin/?page=2")) == ["bob@example.com", "carol@example.com"]
        last = client.get("/admin/?page=3")
        assert emails(last) == ["dave@example.com"]
        assert "Organisations 5–5 of 5" in last.get_data(as_text=True)

    def test_out_of_range_pages_are_clamped(self, client, orgs):
        assert emails(client.get("/admin/?page=99")) == ["dave@example.com"]
        assert emails(client.get("/admin/?page=-3")) == ["admin@example.com", "alice@example.com"]
        assert emails(client.get("/admin/?page=abc")) == ["admin@example.com", "alice@example.com"]

    def test_pagination_keeps_sort_and_search(self, client, orgs):
        html = client.get("/admin/?q=example&sort=used&dir=desc").get_data(as_text=True)
        assert 'href="/admin/?q=example&amp;sort=used&amp;dir=desc&amp;page=2"' in html


def statements_of(client, url: str) -> list[str]:
    seen: list[str] = []
    listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return [s for s in seen if s.split()[0] in ("SELECT", "UPDATE", "INSERT", "DELETE")]


def test_page_cost_does_not_grow_with_the_organisations(client, admin, app):
    with app.app_context():
        for _ in range(60):
            make_profile()
        fewer = statements_of(client, "/admin/")
        for _ in range(60):
            make_profile()
        more = statements_of(client, "/admin/")
    assert len(fewer) == len(more) == 3  # the logged-in user, one page, the count
    page_select = more[1]
    assert "LIMIT" in page_select and "OFFSET" in page_select
    assert "count(*)" in more[2]


def test_a_short_page_needs_no_count(client, orgs, app):
    with app.app_context():
        statements = statements_of(client, "/admin/?q=bob")
    assert len(statements) == 2  # the logged-in user, the page, which is its own total
    assert not any("count(*)" in s for s in statements)


# --- CSV ----------------------------------------------------------------------------------------

def test_csv_export(client, orgs, app):
    with app.app_context():
        make_profile(email="eve@example.com", organisation_name="=HYPERLINK(\"http://evil\")")
    response = client.get("/admin/usage.csv?sort=lifetime&dir=desc")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="franko-usage-')
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["user_id", "email", "organisation", "plan"]
    assert len(rows) == 1 + 6
    assert rows[1][1:8] == ["carol@example.com", "100% Organic_Co", "pro", "5", "1000", "995", "700"]
    eve = next(r for r in rows if r[1] == "eve@example.com")
    assert eve[2] == "'=HYPERLINK(\"http://evil\")"  # a spreadsheet shows it as text


def test_csv_export_follows_the_search(client, orgs):
    rows = list(csv.reader(io.StringIO(client.get("/admin/usage.csv?q=bolt").get_data(as_text=True))))
    assert [r[1] for r in rows[1:]] == ["bob@example.com"]


# --- the chart ----------------------------------------------------------------------------------

def test_responses_per_day_over_90_days(ctx):
    today = utcnow().date()
    noon = datetime.combine(today, time(12))
    instance = make_instance(make_profile())
    for days_ago in (0, 0, 1, 89, 90, 200):
        make_response(instance, created_at=noon - timedelta(days=days_ago))
    statements = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        series = responses_per_day(today=today)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.startswith("SELECT")]) == 1
    assert "GROUP BY" in statements[-1]
    assert len(series) == 90
    assert series[0] == (today - timedelta(days=89), 1)
    assert series[-2:] == [(today - timedelta(days=1), 1), (today, 2)]
    assert sum(n for _, n in series) == 4  # 90 and 200 days ago are outside the window


def test_chart_is_static_svg_without_external_resources(client, admin, app):
    with app.app_context():
        instance = make_instance(make_profile())
        make_response(instance)
        make_response(instance)
    response = client.get("/admin/chart/responses-per-day.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<svg xmlns=\"http://www.w3.org/2000/svg\"" in svg[:200] and "(2 in all)" in svg
    assert "<script" not in svg
    assert re.findall(r'(?:href|src)="(?!#)[^"]*"', svg) == []
