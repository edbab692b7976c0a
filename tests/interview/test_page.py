"""The interview page: the guide's introduction and an honest estimate, progress, Markdown shown safely,
plain text in the transcript, its own page for a bad link, and no invitation to start again."""
import uuid

from tests.interview.conftest import Interviewee, make_setup

RICH = ("# Bakery study\n\nThanks for helping us bake **better** bread.\n\n> Never mention prices.\n\n"
        "- What do you *bake*?\n  - Probe: What sells best?\n- What is hard about it?\n- What would help?\n"
        "- Anything else?\n- Who buys it?\n\n## Closing\nThank you, **that is all**!")


def rich(app) -> Interviewee:
    with app.app_context():
        setup = make_setup(guide=RICH)
    return Interviewee(app, setup.instance_id)


def test_start_page_shows_the_introduction_and_an_estimate_from_the_real_count(app):
    ada = rich(app)
    page = ada.client.get(ada.start_path).get_data(as_text=True)
    assert "Thanks for helping us bake <strong>better</strong> bread." in page
    assert "5 questions" in page and "about 10 minutes" in page
    for never in ("Never mention prices", "What sells best", "What do you"):
        assert never not in page  # instructions, probes and questions are not on the start page


def test_progress_markdown_and_plain_transcript(app):
    ada = rich(app)
    ada.start()
    page = ada.chat().get_data(as_text=True)
    assert "Question 1 of 5" in page
    assert "What do you <em>bake</em>?" in page and "*bake*" not in page
    ada.answer("Bread.")  # short: the first probe follows, still question 1
    assert ada.messages()[-1]["content"] == "What sells best?"
    assert "Question 1 of 5" in ada.chat().get_data(as_text=True)
    ada.answer("Sourdough loaves, by far the most.")
    assert "Question 2 of 5" in ada.chat().get_data(as_text=True)
    for answer in ["Early mornings every day", "A second oven would help", "Nope, that's all!",
                   "Cafés and restaurants nearby"]:
        ada.answer(answer)
    page = ada.chat().get_data(as_text=True)
    assert "All 5 questions answered" in page
    assert "Thank you, <strong>that is all</strong>!" in page
    response = ada.stored()
    assert response.status == "completed" and response.completion_status == "5/5"
    transcript = response.clean_transcript
    assert "What do you bake?" in transcript and "*" not in transcript
    assert transcript.endswith("Interviewer: Thank you, that is all!")


def test_no_invitation_to_start_another_interview(app):
    ada = rich(app)
    ada.start()
    page = ada.chat().get_data(as_text=True)
    assert "Start a new interview" not in page and "new=1" not in page


def test_bad_links_have_a_page_of_their_own(app, client):
    for path in (f"/i/{uuid.uuid4()}", "/i/not-a-uuid", f"/i/{uuid.uuid4()}/r/{uuid.uuid4()}", "/i/x/r/y"):
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 404, path
        assert "This interview link is not valid" in html, path
        assert "Interview by Franko" in html and "Log in" not in html  # not the dashboard's page
    assert client.get(f"/i/{uuid.uuid4()}", headers={"Accept": "application/json"}).get_json()["status"] == 404


def test_someone_elses_interview_has_a_page_of_its_own(app, setup):
    ada, bob = Interviewee(app, setup.instance_id), Interviewee(app, setup.instance_id)
    bob.start(first_name="Bob")
    page = ada.client.get(bob.chat_path)
    assert page.status_code == 403 and "started in another browser" in page.get_data(as_text=True)


def test_a_paused_link_says_so_on_the_interviews_page(app, client):
    with app.app_context():
        broke = make_setup(credits=0)
    page = client.get(f"/i/{broke.instance_id}").get_data(as_text=True)
    assert "is not taking new interviews at the moment" in page and "Log in" not in page
