"""Charging the owner on the first answer: exactly once, never below zero, even under a race."""
import threading

from franko.extensions import db
from franko.interview import tokens
from franko.models import ChatResponse, Profile
from tests.interview.conftest import Interviewee, make_setup


def counters(app, user_id) -> tuple[int, int, int]:
    with app.app_context():
        p = db.session.get(Profile, user_id)
        return p.total_responses_available, p.total_responses_used, p.total_responses_used_this_month


def test_first_answer_without_credit_closes_politely(app):
    with app.app_context():
        setup = make_setup(credits=1)
    ada, bob = Interviewee(app, setup.instance_id), Interviewee(app, setup.instance_id)
    ada.start(first_name="Ada")
    bob.start(first_name="Bob")  # both started while one credit was left
    ada.answer("I run a small bakery with five people.")
    assert counters(app, setup.owner_id) == (0, 1, 1)

    closed = bob.answer("I run a café on the corner of the street.", as_json=True)
    assert closed.status_code == 200
    data = closed.get_json()
    assert data["outcome"] == "no_credit" and data["finished"] is True
    assert [m["role"] for m in data["messages"]] == ["assistant"]
    assert "cannot take more interviews" in data["messages"][0]["content"]
    response = bob.stored()
    assert response.status == "abandoned" and response.completion_status == "0/3"
    assert response.interview_end_time is not None and response.total_interview_minutes == 1
    # The uncharged answer is not kept; the transcript is the interviewer's two messages.
    assert [m["role"] for m in bob.messages()] == ["assistant", "assistant"]
    assert "café" not in response.conversation.dump() and response.clean_transcript.count("Interviewer:") == 2
    assert counters(app, setup.owner_id) == (0, 1, 1)  # never below zero
    assert response.charged_at is None and ada.stored().charged_at is not None  # each response says so

    page = bob.chat().get_data(as_text=True)
    assert "This interview has ended" in page and 'name="answer"' not in page
    assert bob.answer("Hello?").status_code == 302 and len(bob.messages()) == 2
    # Ada, charged already, goes on.
    ada.answer("Flour prices rise every month now.")
    assert ada.stored().completion_status == "2/3" and counters(app, setup.owner_id) == (0, 1, 1)
    assert app.test_cli_runner().invoke(args=["franko", "verify"]).exit_code == 0

    # The owner's home says why interviews stopped.
    with app.app_context():
        email = db.session.get(Profile, setup.owner_id).email
    owner = app.test_client()
    owner.post("/auth/login", data={"email": email, "password": "correct horse"})
    assert b'id="responses-used-up"' in owner.get("/").data


def test_double_submit_of_the_first_answer_charges_once(app):
    with app.app_context():
        setup = make_setup(credits=5)
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    barrier = threading.Barrier(4)
    codes = []

    path = f"/i/{setup.instance_id}"
    token = ada.client.get_cookie(tokens.cookie_name(setup.instance_id), path=path).value

    def send():
        client = app.test_client()  # the same browser's token, four tabs
        client.set_cookie(tokens.cookie_name(setup.instance_id), token, path=path)
        barrier.wait()
        codes.append(client.post(ada.chat_path, data={"answer": "I run a small bakery with five people."}).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302] * 4
    assert counters(app, setup.owner_id) == (4, 1, 1)
    users = [m for m in ada.messages() if m["role"] == "user"]
    assert len(users) >= 1 and len(ada.messages()) == 1 + 2 * len(users)  # strictly answer, reply, answer, …


def test_race_forty_first_answers_ten_credits(app):
    """40 interviewees answer for the first time at once, each in its own thread and connection."""
    with app.app_context():
        setup = make_setup(credits=10)
        before = db.session.get(Profile, setup.owner_id).total_responses_used
    people = [Interviewee(app, setup.instance_id) for _ in range(40)]
    for n, person in enumerate(people):
        assert person.start(first_name=f"P{n}").status_code == 302
    barrier = threading.Barrier(len(people))
    outcomes: dict[int, object] = {}

    def first_answer(n: int, person: Interviewee):
        barrier.wait()
        reply = person.answer("This is my considered first answer.", as_json=True)
        outcomes[n] = reply.status_code, (reply.get_json() or {}).get("outcome")

    threads = [threading.Thread(target=first_answer, args=(n, p)) for n, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes.values(), key=str).count((200, "answered")) == 10
    assert list(outcomes.values()).count((200, "no_credit")) == 30
    available, used, this_month = counters(app, setup.owner_id)
    assert (available, used - before, this_month) == (0, 10, 10)
    with app.app_context():
        rows = db.session.scalars(db.select(ChatResponse)).all()
        assert sum(1 for r in rows if r.status == "in_progress" and r.completion_status == "1/3") == 10
        assert sum(1 for r in rows if r.status == "abandoned") == 30
        # Counters agree with the rows: one charged response per interview that kept an answer.
        charged = sum(1 for r in rows if r.conversation.has_answer())
        assert charged == used - before
    verify = app.test_cli_runner().invoke(args=["franko", "verify"])
    assert verify.exit_code == 0, verify.output
    assert "all checks passed" in verify.output


def test_answer_that_lost_the_race_changes_nothing(app, monkeypatch):
    """While the agent thinks, another answer to the same response lands: this one is refused (409)."""
    from franko.interview import services
    from franko.interview.agent import DefaultAgent

    with app.app_context():
        setup = make_setup(credits=5)
    ada = Interviewee(app, setup.instance_id)
    ada.start()

    class SlowAgent(DefaultAgent):
        def stream(self, guide, context, conversation):
            monkeypatch.setattr(services, "agent_from_config", lambda config: DefaultAgent())
            # The other tab's answer arrives and is stored while this agent is thinking.
            assert ada.answer("The other tab's answer, sent first.").status_code == 302
            return super().stream(guide, context, conversation)

    monkeypatch.setattr(services, "agent_from_config", lambda config: SlowAgent())
    lost = ada.answer("This tab's answer, sent a moment later.", as_json=True)
    assert lost.status_code == 409 and "still being handled" in lost.get_json()["error"]
    contents = [m["content"] for m in ada.messages()]
    assert "The other tab's answer, sent first." in contents
    assert "This tab's answer, sent a moment later." not in contents
    assert counters(app, setup.owner_id) == (4, 1, 1)
