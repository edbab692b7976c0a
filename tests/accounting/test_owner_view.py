"""What the owner sees of the accounting: counts that agree, each response's charge, the period, the billing page."""
import re

from franko.extensions import db
from franko.models import Profile
from tests.factories import make_instance, make_response, profile_by_email


def test_home_counts_every_listed_response_and_labels_the_in_progress_one(client, owner, app):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"))
        make_response(instance, first_name="Ada")
        make_response(instance, first_name="Bob")
        make_response(instance, first_name="Cy", status="in_progress", charged_at=None)  # no answer yet
        p = db.session.get(Profile, owner)
        p.total_responses_used = p.total_responses_used_this_month = 2
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert len(re.findall(r'<span class="fw-semibold">', page)) == 3
    counts = page.split('id="response-counts">')[1].split("</p>")[0]
    assert "3 responses stored" in counts and "1 in progress" in counts and "2 charged" in counts
    assert "in progress · not charged" in page and page.count("completed · charged") == 2


def test_transcript_says_whether_and_why_it_was_charged(client, owner, app):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"))
        charged = make_response(instance).id
        waiting = make_response(instance, status="in_progress", charged_at=None).id
        left = make_response(instance, status="abandoned", charged_at=None).id
    assert "Charged: the interviewee gave a first answer." in client.get(f"/responses/{charged}").get_data(as_text=True)
    assert "Not charged yet" in client.get(f"/responses/{waiting}").get_data(as_text=True)
    assert "Not charged: no answer was taken" in client.get(f"/responses/{left}").get_data(as_text=True)


def test_home_shows_the_period_end_and_a_forecast(client, owner, app):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'id="period-end">The period ends on <time datetime="\d{4}-\d\d-01T00:00:00Z" data-local="datetime">'
                     r'01 \w{3} \d{4}, 00:00 UTC</time>', page)
    assert 'id="forecast"' in page and "At this period's pace so far, about 0 responses by its end." in page


def test_used_up_banner_without_billing_points_to_the_administrator(client, owner, app):
    with app.app_context():
        p = db.session.get(Profile, owner)
        p.total_responses_used_this_month, p.total_responses_available = 10, 0
        db.session.commit()
    banner = client.get("/").get_data(as_text=True).split('id="responses-used-up"')[1].split("</div>")[0]
    assert "Upgrade your plan" not in banner
    assert "Billing is not configured on this server: ask your administrator" in banner
    assert "next period starts\n  on <time" in banner


def test_billing_without_stripe_shows_the_plans_their_quotas_and_says_so(client, owner):
    page = client.get("/billing/").get_data(as_text=True)
    assert "Billing is not configured on this server" in page
    for quota in ("10 responses a month", "100 responses a month", "1,000 responses a month"):
        assert quota in page
    assert "The period ends on <time" in page
    assert "Upgrade to" not in page  # nothing to buy without Stripe


def test_times_are_utc_with_the_zone_shown_for_the_browser_to_convert(client, owner, app):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"))
        response_id = make_response(instance).id
    page = client.get(f"/responses/{response_id}").get_data(as_text=True)
    assert re.search(r'<time datetime="[\d-]+T[\d:]+Z" data-local="datetime">[^<]+ UTC</time>', page)
    assert "(UTC)" not in page


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    with client.get(response.location) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.get_data()
    assert 'rel="icon"' in client.get("/auth/login").get_data(as_text=True)
