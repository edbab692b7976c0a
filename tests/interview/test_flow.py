"""The public interview with the default agent: intake, answers, completion, resume, tokens, inputs."""
import json
import uuid
from datetime import datetime

from franko.extensions import db
from franko.interview import tokens
from franko.interview.services import MAX_ANSWER_CHARS
from franko.models import ChatResponse, Profile
from tests.interview.conftest import DESCRIPTION, ORGANISATION, QUESTIONS, Interviewee, make_setup


def profile(app, user_id) -> Profile:
    with app.app_context():
        p = db.session.get(Profile, user_id)
        db.session.expunge(p)
        return p


def test_intake_page_shows_organisation_and_form(client, setup):
    page = client.get(f"/i/{setup.instance_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert ORGANISATION in html and DESCRIPTION in html
    assert "Customer discovery" in html and "3 questions" in html
    for name in ("first_name", "second_name", "email", "consent"):
        assert f'name="{name}"' in html
    assert "Log in" not in html  # the interviewee sees no dashboard navigation


def test_unknown_instance_is_404(client):
    assert client.get(f"/i/{uuid.uuid4()}").status_code == 404
    assert client.post(f"/i/{uuid.uuid4()}", data={"first_name": "Ada", "consent": "y"}).status_code == 404
    assert client.get("/i/not-a-uuid").status_code == 404


def test_intake_validates_and_creates_nothing_on_error(app, interviewee):
    missing_name = interviewee.start(first_name="  ")
    assert missing_name.status_code == 200 and b"Please tell us your first name." in missing_name.data
    no_consent = interviewee.start(consent=False)
    assert b"Please agree before starting the interview." in no_consent.data
    bad_email = interviewee.start(email="not-an-email")
    assert b"Please enter a valid email address." in bad_email.data
    assert b'value="Lovelace"' in bad_email.data  # what was typed stays in the form
    with app.app_context():
        assert db.session.query(ChatResponse).count() == 0


def test_full_interview_default_agent(app, setup, interviewee):
    before = profile(app, setup.owner_id)
    started = interviewee.start()
    assert started.status_code == 302
    assert started.headers["Location"].endswith("#latest")
    assert tokens.cookie_name(setup.instance_id) in started.headers["Set-Cookie"]
    assert "HttpOnly" in started.headers["Set-Cookie"]

    response = interviewee.stored()
    assert response.status == "in_progress"
    assert response.interviewee_first_name == "Ada" and response.interviewee_second_name == "Lovelace"
    assert response.interviewee_email == "ada@example.com"
    assert response.user_id == setup.owner_id and response.chat_instance_id == setup.instance_id
    assert response.interview_start_time is not None and response.interview_end_time is None
    assert response.completion_status == "0/3"
    opening = interviewee.messages()
    assert len(opening) == 1 and opening[0]["role"] == "assistant"
    assert "Hello Ada" in opening[0]["content"] and ORGANISATION in opening[0]["content"]
    assert opening[0]["content"].endswith(QUESTIONS[0])
    page = interviewee.chat().get_data(as_text=True)
    assert "Hello Ada" in page and 'name="answer"' in page
    assert profile(app, setup.owner_id).total_responses_available == before.total_responses_available  # not yet

    # A long first answer: charged once, and the next question comes without a follow-up.
    assert interviewee.answer("I run a small bakery with five people.").status_code == 302
    after_first = profile(app, setup.owner_id)
    assert after_first.total_responses_available == before.total_responses_available - 1
    assert after_first.total_responses_used == before.total_responses_used + 1
    assert after_first.total_responses_used_this_month == before.total_responses_used_this_month + 1
    assert interviewee.messages()[-1]["content"] == QUESTIONS[1]
    assert interviewee.stored().completion_status == "1/3"

    # A very short answer gets exactly one follow-up, then the guide goes on whatever the reply.
    interviewee.answer("Flour prices.")
    follow_up = interviewee.messages()[-1]
    assert follow_up["role"] == "assistant" and follow_up["content"] not in QUESTIONS
    interviewee.answer("Yes.")
    assert interviewee.messages()[-1]["content"] == QUESTIONS[2]
    assert interviewee.stored().status == "in_progress"

    final = interviewee.answer("Cheaper flour and a second oven would help a lot.")
    assert final.status_code == 302
    response = interviewee.stored()
    messages = interviewee.messages()
    assert response.status == "completed"
    assert response.completion_status == "3/3"
    assert response.interview_end_time >= response.interview_start_time
    assert response.total_interview_minutes == 1  # rounded up, at least one
    assert [m["role"] for m in messages] == ["assistant", "user"] * 4 + ["assistant"]
    assert "Thank you, Ada" in messages[-1]["content"]
    for m in messages:
        assert set(m) >= {"role", "content", "at"}
        assert datetime.fromisoformat(m["at"].replace("Z", "+00:00")).tzinfo is not None
    lines = response.clean_transcript.split("\n")
    assert lines[0].startswith("Interviewer: Hello Ada")
    assert len(lines) == len(messages)  # one line per message
    assert lines[0].endswith(QUESTIONS[0])
    assert lines[1] == "Ada: I run a small bakery with five people."
    assert lines[2] == f"Interviewer: {QUESTIONS[1]}"
    assert lines[-1].startswith("Interviewer: Thank you, Ada")
    # Charged exactly once for the whole interview, and the data checks agree.
    assert profile(app, setup.owner_id).total_responses_used == before.total_responses_used + 1
    verify = app.test_cli_runner().invoke(args=["franko", "verify"])
    assert verify.exit_code == 0, verify.output

    done = interviewee.chat().get_data(as_text=True)
    assert "This interview is complete" in done and 'name="answer"' not in done
    assert interviewee.answer("One more thing!").status_code == 302
    assert len(interviewee.messages()) == len(messages)  # a closed interview takes no answers


def test_resume_after_reload_and_return(app, setup, interviewee):
    interviewee.start()
    interviewee.answer("I run a small bakery with five people.")
    chat = interviewee.chat_path
    # Reloading the chat, or coming back to the public link, continues the same response.
    assert b"What is hard about it?" in interviewee.chat().data
    back = interviewee.client.get(f"/i/{setup.instance_id}")
    assert back.status_code == 302 and back.headers["Location"].split("#")[0] == chat
    interviewee.answer("Rising flour prices every single month.")
    assert interviewee.messages()[-1]["content"] == QUESTIONS[2]
    with app.app_context():
        assert db.session.query(ChatResponse).count() == 1
    # "Start a new interview" shows the intake again, even with a token.
    assert b'name="first_name"' in interviewee.client.get(f"/i/{setup.instance_id}?new=1").data


def test_token_for_another_response_is_refused(app, setup):
    ada, bob = Interviewee(app, setup.instance_id), Interviewee(app, setup.instance_id)
    ada.start(first_name="Ada")
    bob.start(first_name="Bob")
    # Ada's browser asks for Bob's response: her token names another response.
    assert ada.client.get(bob.chat_path).status_code == 403
    assert ada.client.post(bob.chat_path, data={"answer": "Hijacked answer here"}).status_code == 403
    assert len(bob.messages()) == 1
    # No token at all, a forged token, or a token issued for another instance: refused too.
    stranger = Interviewee(app, setup.instance_id)
    assert stranger.client.get(bob.chat_path).status_code == 403
    stranger.client.set_cookie(tokens.cookie_name(setup.instance_id), "forged.token", path=f"/i/{setup.instance_id}")
    assert stranger.client.get(bob.chat_path).status_code == 403
    with app.app_context():
        other = make_setup()
    with app.test_request_context():
        wrong_instance = tokens.make_token(other.instance_id, bob.response_id)
    stranger.client.set_cookie(tokens.cookie_name(setup.instance_id), wrong_instance, path=f"/i/{setup.instance_id}")
    assert stranger.client.get(bob.chat_path).status_code == 403
    # The genuine token keeps working.
    assert bob.chat().status_code == 200


def test_response_of_another_instance_is_404(app, setup, interviewee):
    interviewee.start()
    with app.app_context():
        other = make_setup()
    # The same response id under another instance's URL is no response of that instance.
    assert interviewee.client.get(f"/i/{other.instance_id}/r/{interviewee.response_id}").status_code == 403


def test_empty_answer_is_ignored(app, interviewee):
    interviewee.start()
    assert interviewee.answer("   \n ").status_code == 302
    assert len(interviewee.messages()) == 1
    reply = interviewee.answer("", as_json=True)
    data = reply.get_json()
    assert reply.status_code == 200 and data.pop("next_key")
    assert data == {"outcome": "ignored", "messages": [], "finished": False, "progress": None, "replayed": False}
    assert len(interviewee.messages()) == 1


def test_too_long_answer_is_refused_with_a_message(app, setup, interviewee):
    interviewee.start()
    too_long = "word " * (MAX_ANSWER_CHARS // 5 + 1)
    page = interviewee.answer(too_long)
    assert page.status_code == 400
    assert b"Please keep an answer under 5,000 characters." in page.data
    assert too_long.strip().encode() in page.data  # the text stays in the box, to shorten
    as_json = interviewee.answer(too_long, as_json=True)
    assert as_json.status_code == 400 and "5,000 characters" in as_json.get_json()["error"]
    assert len(interviewee.messages()) == 1
    assert profile(app, setup.owner_id).total_responses_used == 0  # nothing charged


def test_answers_are_escaped(interviewee):
    interviewee.start(first_name="<b>Ada</b>")
    interviewee.answer('<script>alert("x")</script> is what I would type here')
    html = interviewee.chat().get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>Ada</b>" not in html and "&lt;b&gt;Ada&lt;/b&gt;" in html


def test_answer_by_json(app, interviewee):
    interviewee.start()
    reply = interviewee.answer("I run a small bakery with five people.", as_json=True)
    assert reply.status_code == 200
    data = reply.get_json()
    assert data["outcome"] == "answered" and data["finished"] is False
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    assert data["messages"][1]["content"] == QUESTIONS[1]
    assert set(data["messages"][0]) == {"role", "content", "at"}
    assert interviewee.stored().conversation[-1]["content"] == QUESTIONS[1]


def test_not_accepting_without_credit_or_questions(app, client):
    with app.app_context():
        broke = make_setup(credits=0)
        empty = make_setup(guide="# Only a title")
    page = client.get(f"/i/{broke.instance_id}")
    assert b"is not taking new interviews at the moment" in page.data and b'name="first_name"' not in page.data
    assert client.post(f"/i/{broke.instance_id}", data={"first_name": "Ada", "consent": "y"}).status_code == 200
    assert b"not ready yet" in client.get(f"/i/{empty.instance_id}").data
    with app.app_context():
        assert db.session.query(ChatResponse).count() == 0
