"""The summary on the response page, the themes on the instance page: shown when written, a placeholder before."""
import re

import pytest
from playwright.sync_api import expect

from franko.extensions import db
from franko.insights.jobs import refresh_themes, summarize_response
from franko.models import ChatInstance
from tests.conftest import browser_signup
from tests.factories import make_instance, profile_by_email
from tests.helpers import axe_findings
from tests.insights.conftest import GUIDE, add_interview, add_study


@pytest.fixture
def own_study(app, owner):
    """The logged-in owner's study of five interviews: (instance id, {name: response id})."""
    with app.app_context():
        return add_study(profile_by_email("owner@example.com"))


def test_the_response_page_shows_the_summary_or_that_it_is_being_prepared(app, client, own_study):
    instance_id, ids = own_study
    page = client.get(f"/responses/{ids['Ada']}").get_data(as_text=True)
    assert "The summary is being prepared" in page
    with app.app_context():
        summarize_response(str(ids["Ada"]))
    page = client.get(f"/responses/{ids['Ada']}").get_data(as_text=True)
    assert "The summary is being prepared" not in page
    assert "Answered 3 of 3 questions in 7 minutes." in page
    quotes = re.findall(r'<blockquote class="[^"]*summary-quote">\s*<p class="mb-0">(.*?)</p>', page)
    assert quotes == ["Flour prices went up again this spring.",
                      "Deliveries to the cafés are late when the van breaks down.", "A cheaper flour supplier would help."]
    assert "offline (an extract of the answers)" in page


def test_what_the_interviewee_typed_is_escaped_in_the_summary(app, client, owner):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"), guide=GUIDE)
        response_id = add_interview(instance, "Mal", ['I typed <script>alert("x")</script> into the order box twice.',
                                                      "The order box lost <b>every</b> order I typed twice."]).id
        summarize_response(str(response_id))
    page = client.get(f"/responses/{response_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<b>every</b>" not in page


def test_the_instance_page_shows_the_themes_with_links_to_the_responses(app, client, own_study):
    instance_id, ids = own_study
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "The themes are being prepared" in page
    with app.app_context():
        refresh_themes(str(instance_id))
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    section = page[page.index('id="themes"'):page.index("</section>", page.index('id="themes"'))]
    assert re.findall(r'<h3 class="h6 mb-1">(.*?)</h3>', section) == [
        "flour prices", "deliveries", "staff turnover", "café"]
    assert section.count("mentioned in 3 of 5 responses") == 2 and section.count("mentioned in 2 of 5 responses") == 2
    first = section[:section.index('<h3 class="h6 mb-1">deliveries')]
    links = re.findall(r'<a href="/responses/([0-9a-f-]+)">(\w+)</a>', first)
    assert links == [(str(ids["Dev"]), "Dev"), (str(ids["Ben"]), "Ben"), (str(ids["Ada"]), "Ada")]


def test_no_themes_yet_with_a_single_response(app, client, owner):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"), guide=GUIDE)
        add_interview(instance, "Ada", ["Flour prices went up again this spring."])
        refresh_themes(str(instance.id))
        instance_id = instance.id
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "No themes yet" in page


def test_other_owners_get_404(app, client, owner, study):
    instance_id, ids = study
    with app.app_context():
        summarize_response(str(ids["Ada"]))
        refresh_themes(str(instance_id))
    assert client.get(f"/responses/{ids['Ada']}").status_code == 404
    assert client.get(f"/instances/{instance_id}").status_code == 404


def test_summary_and_themes_in_the_browser_meet_wcag_aa(live_server, page):
    base = live_server.url
    browser_signup(page, base)
    app = live_server.app
    with app.app_context():
        instance_id, ids = add_study(profile_by_email("owner@example.com"))
        for response_id in ids.values():
            summarize_response(str(response_id))
        refresh_themes(str(instance_id))
        assert db.session.get(ChatInstance, instance_id).themes.themes
    page.goto(f"{base}/responses/{ids['Ada']}")
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("Answered 3 of 3 questions in 7 minutes.")
    expect(summary.locator("blockquote")).to_have_count(3)
    assert axe_findings(page) == []
    page.goto(f"{base}/instances/{instance_id}")
    themes = page.get_by_role("region", name="Themes")
    expect(themes).to_contain_text("mentioned in 3 of 5 responses")
    assert axe_findings(page) == []
    themes.get_by_role("link", name="Dev").first.click()
    page.wait_for_url(f"{base}/responses/{ids['Dev']}")
    expect(page.get_by_role("region", name="Summary")).to_contain_text("Flour prices doubled last year")


def test_deleting_a_response_takes_it_out_of_the_themes(app, client, own_study):
    instance_id, ids = own_study
    with app.app_context():
        refresh_themes(str(instance_id))
        before = db.session.get(ChatInstance, instance_id).themes
    assert any(str(ids["Dev"]) in t.response_ids for t in before.themes)
    assert client.post(f"/responses/{ids['Dev']}/delete").status_code == 302
    with app.app_context():
        after = db.session.get(ChatInstance, instance_id).themes
    assert after.responses == before.responses - 1
    assert all(str(ids["Dev"]) not in t.response_ids for t in after.themes)
