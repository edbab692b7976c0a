"""Chat instances: list, create at the cap, guide editor with preview, public link, delete."""
import pytest
import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatInstance, ChatResponse
from tests.factories import make_instance, make_response, profile_by_email

GUIDE = "# Customer discovery\n- What do you do?\n- What is hard about it?"


def instances(app) -> list[ChatInstance]:
    with app.app_context():
        return db.session.scalars(sa.select(ChatInstance)).all()


def owner_profile(app):
    with app.app_context():
        return profile_by_email("owner@example.com")


@pytest.mark.parametrize("url", ["/instances/", "/instances/new"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.location.startswith("/auth/login?next=")


def test_empty_state(client, owner):
    page = client.get("/instances/").get_data(as_text=True)
    assert "No chat instances yet" in page
    assert "Create your first instance" in page


def test_create_instance_takes_a_slot_and_shows_its_link(client, owner, app):
    response = client.post("/instances/new", data={"interview_guide": GUIDE, "submit": "Create instance"})
    assert response.status_code == 302
    [instance] = instances(app)
    assert response.location == f"/instances/{instance.id}"
    assert instance.interview_guide == GUIDE and instance.user_id == owner
    assert owner_profile(app).total_chat_instances_used == 1
    page = client.get(response.location).get_data(as_text=True)
    assert f'value="http://localhost/i/{instance.id}"' in page
    assert "readonly" in page and "data-copy-target" in page
    assert "<li>What do you do?" in page and "<li>What is hard about it?" in page
    assert "Version 1 (current)" in page


@pytest.mark.parametrize("guide", ["", "   \n\n", "# Only a title"])
def test_create_without_a_question_is_refused_next_to_the_field_and_takes_no_slot(client, owner, app, guide):
    response = client.post("/instances/new", data={"interview_guide": guide, "submit": "Create instance"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is-invalid" in page and '<div class="invalid-feedback">Add at least one question' in page
    assert "Your chat instance is ready" not in page
    assert instances(app) == []
    assert owner_profile(app).total_chat_instances_used == 0


def test_preview_shows_the_questions_and_creates_nothing(client, owner, app):
    page = client.post("/instances/new", data={"interview_guide": GUIDE, "preview": "Preview questions"}).get_data(as_text=True)
    assert "<li>What do you do?" in page
    assert "<li>Customer discovery" not in page  # the heading is the title, not a question
    assert instances(app) == []
    assert owner_profile(app).total_chat_instances_used == 0


@pytest.mark.parametrize("guide, message", [
    ("# Only a title", "Add at least one question"),
    ("x" * 20001, "Field cannot be longer than 20000 characters."),
])
def test_bad_guide_shows_the_message_and_creates_nothing(client, owner, app, guide, message):
    response = client.post("/instances/new", data={"interview_guide": guide, "submit": "Create"})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert instances(app) == []
    assert owner_profile(app).total_chat_instances_used == 0


def test_refused_at_the_cap_with_what_to_do(client, owner, app):
    assert client.post("/instances/new", data={"interview_guide": GUIDE, "submit": "Create"}).status_code == 302
    response = client.post("/instances/new", data={"interview_guide": GUIDE, "submit": "Create"})
    assert response.status_code == 302 and response.location == "/instances/"
    page = client.get("/instances/").get_data(as_text=True)
    assert "Your free plan allows 1 chat instance and you have 1." in page
    assert "delete an instance you no longer need" in page
    assert len(instances(app)) == 1
    assert owner_profile(app).total_chat_instances_used == 1
    new_page = client.get("/instances/new").get_data(as_text=True)
    assert "Your free plan allows 1 chat instance" in new_page and "interview_guide" not in new_page


def test_cap_message_points_to_the_plans_below_pro(client, owner, app):
    with app.app_context():
        make_instance(profile_by_email("owner@example.com"))
    page = client.get("/instances/new").get_data(as_text=True)
    assert "upgrade your plan" in page and 'href="/billing/"' in page
    with app.app_context():
        profile = profile_by_email("owner@example.com")
        profile.membership, profile.total_chat_instances_available = "pro", 1
        db.session.commit()
    assert "upgrade your plan" not in client.get("/instances/new").get_data(as_text=True)


def test_list_shows_each_instance_with_its_response_count(client, owner, app):
    with app.app_context():
        p = profile_by_email("owner@example.com")
        p.total_chat_instances_available = 5
        first = make_instance(p, guide="# First study\nQ?")
        second = make_instance(p, guide="Second study?")
        for _ in range(3):
            make_response(first)
        make_response(second)
        first, second = first.id, second.id
    page = client.get("/instances/").get_data(as_text=True)
    assert "First study" in page and "Second study?" in page
    assert f'href="/instances/{first}/responses">3</a>' in page
    assert f'href="/instances/{second}/responses">1</a>' in page


def test_edit_guide_with_preview_then_save(client, owner, app):
    with app.app_context():
        instance_id = make_instance(profile_by_email("owner@example.com"), guide="Old question?").id
    url = f"/instances/{instance_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "<li>Old question?" in page  # the saved guide's questions
    page = client.post(url, data={"interview_guide": "1. New one?\n2. Another?", "preview": "Preview"}).get_data(as_text=True)
    assert "<li>New one?" in page and "<li>Another?" in page
    assert instances(app)[0].interview_guide == "Old question?"
    response = client.post(url, data={"interview_guide": "1. New one?\r\n2. Another?\r\n", "submit": "Save"})
    assert response.status_code == 302
    assert instances(app)[0].interview_guide == "1. New one?\n2. Another?"


def test_edit_bad_guide_keeps_the_old_one(client, owner, app):
    with app.app_context():
        instance_id = make_instance(profile_by_email("owner@example.com"), guide="Old question?").id
    page = client.post(f"/instances/{instance_id}/edit", data={"interview_guide": "## Just a heading", "submit": "Save"})
    assert "Add at least one question" in page.get_data(as_text=True)
    assert instances(app)[0].interview_guide == "Old question?"


def test_delete_confirmation_names_the_count_then_deletes_and_frees_the_slot(client, owner, app):
    with app.app_context():
        instance = make_instance(profile_by_email("owner@example.com"))
        for _ in range(3):
            make_response(instance)
        instance_id = instance.id
    url = f"/instances/{instance_id}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "its 3 responses" in page and "Delete instance and 3 responses" in page
    assert len(instances(app)) == 1  # asking deletes nothing
    response = client.post(url)
    assert response.status_code == 302 and response.location == "/instances/"
    assert "and its 3 responses were deleted" in client.get("/instances/").get_data(as_text=True)
    assert instances(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChatResponse)) == 0
    assert owner_profile(app).total_chat_instances_used == 0
    assert client.post("/instances/new", data={"interview_guide": GUIDE, "submit": "Create"}).status_code == 302
    assert len(instances(app)) == 1


@pytest.mark.parametrize("method, path", [
    ("get", ""), ("get", "/edit"), ("post", "/edit"), ("get", "/delete"), ("post", "/delete"),
    ("get", "/responses"), ("get", "/responses.csv"),
])
def test_another_owners_instance_is_404(client, owner, app, stranger, method, path):
    instance_id, _ = stranger
    response = getattr(client, method)(f"/instances/{instance_id}{path}", data={"interview_guide": "Mine now?", "submit": "Save"})
    assert response.status_code == 404
    with app.app_context():
        instance = db.session.get(ChatInstance, instance_id)
        assert instance is not None and instance.interview_guide == "# Their secret study\nWhat?"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ChatResponse)) == 1


def test_unknown_and_malformed_ids_are_404(client, owner):
    assert client.get("/instances/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/instances/not-a-uuid").status_code == 404


XSS = '<img src=x onerror=alert(1)>'


def test_guide_is_shown_escaped_everywhere(client, owner, app):
    guide = f"# {XSS}\n- {XSS}?"
    page = client.post("/instances/new", data={"interview_guide": guide, "preview": "Preview"}).get_data(as_text=True)
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    response = client.post("/instances/new", data={"interview_guide": guide, "submit": "Create"})
    for url in ("/instances/", response.location, response.location + "/edit", response.location + "/delete",
                response.location + "/responses"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, url


def test_delete_racing_a_new_interview_deletes_nothing_and_says_so(client, owner, app, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        instance_id = make_instance(profile_by_email("owner@example.com")).id

    def racing_delete(instance):
        raise IntegrityError("DELETE", {}, Exception("response inserted concurrently"))

    monkeypatch.setattr("franko.instances.routes.delete_instance", racing_delete)
    response = client.post(f"/instances/{instance_id}/delete")
    assert response.location == f"/instances/{instance_id}/delete"
    assert "nothing was deleted" in client.get(response.location).get_data(as_text=True)
    assert len(instances(app)) == 1
