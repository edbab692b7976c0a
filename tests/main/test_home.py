"""Home: usage bars, first-run checklist, the used-up notice, recent responses; error pages."""
import re

from franko.extensions import db
from franko.models import Profile
from tests.factories import make_instance, make_response, profile_by_email


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def checklist(page: str) -> list[tuple[str, bool]]:
    section = page.split('id="first-run"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r'<li class="list-group-item[^"]*">(.*?)</li>', section, re.S)
    return [(re.sub(r"<[^>]+>|Done|Open the profile|Create one|Copy the link", "", item).strip(), "<s>" in item)
            for item in items]


def test_landing_for_visitors(client):
    page = home(client)
    assert "Get started free" in page and 'id="first-run"' not in page


def test_first_run_checklist_ticks_off_and_disappears(client, owner, app):
    assert checklist(home(client)) == [("Describe your organisation", False), ("Create a chat instance", False),
                                       ("Share its link", False)]
    client.post("/profile/", data={"email": "owner@example.com", "organisation_description": "We bake."})
    assert [done for _, done in checklist(home(client))] == [True, False, False]
    client.post("/instances/new", data={"interview_guide": "Q?", "submit": "Create"})
    page = home(client)
    assert [done for _, done in checklist(page)] == [True, True, False]
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"), count_slot=False)
        make_response(instance, first_name="Grace")
    page = home(client)
    assert 'id="first-run"' not in page
    assert "Grace" in page  # among the recent responses


def test_share_step_links_to_the_first_instance(client, owner, app):
    with app.app_context():
        instance_id = make_instance(profile_by_email("owner@example.com")).id
    assert f'href="/instances/{instance_id}">Copy the link</a>' in home(client)


def test_usage_and_instances_bars(client, owner, app):
    with app.app_context():
        p = profile_by_email("owner@example.com")
        p.total_responses_used_this_month, p.total_responses_available = 8, 2
        db.session.commit()
        make_instance(p)
    page = home(client)
    assert "<strong>8</strong> of 10 used\n      · 2 available" in page
    assert 'aria-valuenow="8"' in page and "bg-warning w-80" in page  # amber from 80%
    assert "<strong>1</strong> of 1 on the free plan" in page and "w-100" in page
    assert 'id="responses-used-up"' not in page


def test_used_up_notice_when_no_response_is_available(client, owner, app):
    with app.app_context():
        p = profile_by_email("owner@example.com")
        p.total_responses_used_this_month, p.total_responses_available = 10, 0
        db.session.commit()
    page = home(client)
    assert 'id="responses-used-up"' in page
    assert "Interviews are closed for now." in page and "10\n  responses are used up" in page
    has_billing = "billing.index" in app.view_functions
    assert ('href="/billing/"' in page.split('id="responses-used-up"')[1].split("</div>")[0]) == has_billing


def test_over_quota_counters_never_overflow_the_bar(client, owner, app):
    with app.app_context():
        p = db.session.get(Profile, owner)
        p.total_responses_used_this_month, p.monthly_responses_quota, p.total_responses_available = 15, 10, 0
        p.total_chat_instances_used, p.total_chat_instances_available = 3, 1
        db.session.commit()
    page = home(client)
    assert "w-150" not in page and "w-300" not in page and "bg-danger w-100" in page


def test_recent_responses_are_newest_first_and_link_to_transcripts(client, owner, app):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"))
        ids = [make_response(instance, first_name=f"N{i}").id for i in range(7)]
    page = home(client)
    shown = re.findall(r'<span class="fw-semibold">(N\d)', page)
    assert shown == ["N6", "N5", "N4", "N3", "N2"]
    assert f'href="/responses/{ids[-1]}"' in page


def test_error_pages_share_the_look(client, owner):
    page = client.get("/no/such/page").get_data(as_text=True)
    assert "404" in page and "couldn&#39;t find that page" in page and "navbar" in page
    response = client.get("/auth/logout")  # POST only
    assert response.status_code == 405 and "That action isn&#39;t allowed here." in response.get_data(as_text=True)
    assert client.get("/no/such/page", headers={"Accept": "application/json"}).get_json()["status"] == 404


def test_navbar_marks_the_current_section(client, owner):
    page = client.get("/instances/").get_data(as_text=True)
    assert 'class="nav-link active" href="/instances/"' in page
    assert 'class="nav-link" href="/profile/"' in page
