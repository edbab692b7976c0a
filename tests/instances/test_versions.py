"""Guide versions: saving a changed guide makes a new one, each response keeps the version it started on,
the owner sees it and compares two versions; the live preview parses what is being typed."""
import uuid

import sqlalchemy as sa

from franko.extensions import db
from franko.models import ChatResponse, GuideVersion
from tests.interview.conftest import Interviewee

V1 = "# Bakery study\n- What do you bake?\n- Who buys it?"
V2 = "# Bakery study\n- What do you bake?\n- What is hard about it?\n- What would help?"


def versions(app, instance_id) -> list[tuple[int, str]]:
    with app.app_context():
        return [(v.number, v.guide) for v in db.session.scalars(
            sa.select(GuideVersion).where(GuideVersion.chat_instance_id == instance_id).order_by(GuideVersion.number))]


def create(client) -> str:
    response = client.post("/instances/new", data={"interview_guide": V1, "submit": "Create"})
    return uuid.UUID(response.location.rsplit("/", 1)[1])


def test_saving_a_changed_guide_makes_a_new_version(client, owner, app):
    instance_id = create(client)
    assert versions(app, instance_id) == [(1, V1)]
    saved = client.post(f"/instances/{instance_id}/edit", data={"interview_guide": V2, "submit": "Save"},
                        follow_redirects=True).get_data(as_text=True)
    assert "saved as version 2" in saved and "Version 2 (current)" in saved and "Compare versions" in saved
    unchanged = client.post(f"/instances/{instance_id}/edit", data={"interview_guide": V2 + "\r\n", "submit": "Save"},
                            follow_redirects=True).get_data(as_text=True)
    assert "unchanged" in unchanged
    assert versions(app, instance_id) == [(1, V1), (2, V2)]


def test_a_running_interview_continues_on_its_own_version(client, owner, app):
    instance_id = create(client)
    ada = Interviewee(app, instance_id)
    ada.start()
    ada.answer("Sourdough and rye, mostly for cafés.")
    assert ada.messages()[-1]["content"] == "Who buys it?"
    # The owner edits the guide mid-interview: Ada's interview is not cut short nor changed.
    client.post(f"/instances/{instance_id}/edit", data={"interview_guide": V2, "submit": "Save"})
    page = ada.chat().get_data(as_text=True)
    assert "Question 2 of 2" in page
    ada.answer("Cafés and a few restaurants nearby.")
    response = ada.stored()
    assert response.status == "completed" and response.completion_status == "2/2" and response.guide_version == 1
    assert "That was the last question" in ada.messages()[-1]["content"]
    # A new interviewee starts on version 2, with its three questions.
    bob = Interviewee(app, instance_id)
    assert "3 questions" in bob.client.get(bob.start_path).get_data(as_text=True)
    bob.start(first_name="Bob")
    assert bob.stored().guide_version == 2 and bob.stored().completion_status == "0/3"
    # The owner sees each response's version, on the list and on the transcript.
    listing = client.get(f"/instances/{instance_id}/responses").get_data(as_text=True)
    assert "Guide version" in listing
    transcript = client.get(f"/responses/{response.id}").get_data(as_text=True)
    assert 'id="guide-version">Version 1' in transcript


def test_compare_two_versions_side_by_side(client, owner, app):
    instance_id = create(client)
    client.post(f"/instances/{instance_id}/edit", data={"interview_guide": V2, "submit": "Save"})
    page = client.get(f"/instances/{instance_id}/versions/compare").get_data(as_text=True)
    assert "<th scope=\"col\" class=\"w-50\">Version 1</th>" in page and "Version 2</th>" in page
    assert '<tr class="diff-equal">' in page  # the unchanged lines, on both sides
    assert '<tr class="diff-replace">' in page and "<code>- Who buys it?</code>" in page
    assert '<tr class="diff-insert">' in page and "<code>- What would help?</code>" in page
    chosen = client.get(f"/instances/{instance_id}/versions/compare?a=2&b=2").get_data(as_text=True)
    assert "diff-replace" not in chosen and "diff-insert" not in chosen
    assert client.get(f"/instances/{instance_id}/versions/compare?a=9").status_code == 404


def test_versions_are_the_owners_only(client, owner, app, stranger):
    instance_id, _ = stranger
    assert client.get(f"/instances/{instance_id}/versions/compare").status_code == 404


def test_deleting_an_instance_deletes_its_versions(client, owner, app):
    instance_id = create(client)
    client.post(f"/instances/{instance_id}/delete")
    assert versions(app, instance_id) == []


def test_live_preview_parses_what_is_typed(client, owner):
    text = "# Draft\n\nHello **you**.\n\n> Be kind.\n\n- First?\n  - A probe\n\n## Closing\nBye <script>x</script>"
    page = client.post("/instances/preview", data={"interview_guide": text}).get_data(as_text=True)
    assert "Draft" in page and "<strong>you</strong>" in page
    assert "<li>First?" in page and "A probe" in page and "Be kind." in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<html" not in page  # a fragment for the panel, not a page


def test_editor_works_without_javascript_and_has_its_script(client, owner):
    page = client.get("/instances/new").get_data(as_text=True)
    assert 'name="preview"' in page and "/static/guide-editor.js" in page
    assert 'data-preview-url="/instances/preview"' in page
