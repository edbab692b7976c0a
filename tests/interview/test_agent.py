"""The agents: the deterministic default, and the LLM through a real client against a local fake endpoint."""
import json

import pytest

from franko.interview.agent import Context, DefaultAgent, LLMAgent, Turn, agent_from_config, covered
from tests.interview.conftest import DESCRIPTION, GUIDE, ORGANISATION, QUESTIONS, Interviewee

CONTEXT = Context(ORGANISATION, DESCRIPTION, "Ada")


def play(agent, answers: list[str]) -> list[dict]:
    """A conversation: the agent's turns interleaved with `answers`, stopping when it is done."""
    conversation = []
    turn = agent.next_turn(QUESTIONS, CONTEXT, conversation)
    for answer in answers + [None]:
        conversation.append({"role": "assistant", "content": turn.message, "question": turn.question})
        if turn.done or answer is None:
            break
        conversation.append({"role": "user", "content": answer})
        turn = agent.next_turn(QUESTIONS, CONTEXT, conversation)
    return conversation


def test_default_agent_asks_in_order_then_thanks():
    conversation = play(DefaultAgent(), ["a long enough answer here"] * 3)
    asked = [m["content"] for m in conversation if m["role"] == "assistant"]
    assert asked[0].startswith("Hello Ada") and asked[0].endswith(QUESTIONS[0])
    assert asked[1:3] == QUESTIONS[1:]
    assert asked[3].startswith("Thank you, Ada")
    assert covered(conversation) == 3


def test_default_agent_follows_up_once_on_a_short_answer():
    conversation = play(DefaultAgent(), ["No.", "Still no.", "a long enough answer here", "ok", "fine", "x"])
    asked = [(m["content"], m["question"]) for m in conversation if m["role"] == "assistant"]
    assert asked[1][1] == 0 and asked[1][0] not in QUESTIONS  # the follow-up, about question 1
    assert asked[2] == (QUESTIONS[1], 1)  # a second short answer does not get another
    assert asked[3] == (QUESTIONS[2], 2)
    assert asked[4][1] == 2 and asked[4][0] not in QUESTIONS
    assert asked[5][1] is None and asked[5][0].startswith("Thank you")
    assert covered(conversation) == 3


def test_default_agent_is_deterministic():
    answers = ["No.", "I bake bread for cafés", "Ovens.", "More staff would help a lot"]
    assert play(DefaultAgent(), answers) == play(DefaultAgent(), answers)


def test_agent_is_chosen_from_config():
    assert isinstance(agent_from_config({}), DefaultAgent)
    assert isinstance(agent_from_config({"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}), DefaultAgent)  # no model
    llm = agent_from_config({"OPENAI_BASE_URL": "http://127.0.0.1:1/v1", "FRANKO_LLM_MODEL": "m",
                             "FRANKO_LLM_TIMEOUT": 3})
    assert isinstance(llm, LLMAgent) and llm.timeout == 3.0


def test_llm_agent_real_request_to_fake_endpoint(fake_llm):
    agent = LLMAgent(fake_llm.url, "sk-test", "test-model", timeout=5)
    turn = agent.next_turn(QUESTIONS, CONTEXT, [{"role": "assistant", "content": "Hi", "question": 0},
                                               {"role": "user", "content": "I bake bread"}])
    assert turn == Turn(f"LLM asks: {QUESTIONS[1]}", 1, False)
    (request,) = fake_llm.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "test-model"
    system = body["messages"][0]
    assert system["role"] == "system"
    assert ORGANISATION in system["content"] and DESCRIPTION in system["content"]
    for n, question in enumerate(QUESTIONS, start=1):
        assert f"{n}. {question}" in system["content"]
    assert body["messages"][1:] == [{"role": "assistant", "content": "Hi"}, {"role": "user", "content": "I bake bread"}]


@pytest.mark.parametrize("mode", ["error", "hang"])
def test_llm_agent_falls_back_to_default(fake_llm, mode):
    fake_llm.mode = mode
    agent = LLMAgent(fake_llm.url, "sk-test", "test-model", timeout=0.5)
    conversation = [{"role": "assistant", "content": "Hi", "question": 0},
                    {"role": "user", "content": "I bake bread for cafés"}]
    assert agent.next_turn(QUESTIONS, CONTEXT, conversation) == DefaultAgent().next_turn(QUESTIONS, CONTEXT, conversation)
    assert len(fake_llm.requests) == 1  # one attempt, no retries


@pytest.mark.parametrize("content", [
    "not json at all",
    json.dumps({"message": "", "question": 1, "done": False}),
    json.dumps({"message": "Q?", "question": 9, "done": False}),
    json.dumps({"message": "Q?", "question": "two", "done": False}),
])
def test_unusable_llm_reply_is_refused(content):
    with pytest.raises(ValueError):
        LLMAgent.parse(content, QUESTIONS, [])


def test_llm_reply_in_code_fence_and_never_backwards():
    fenced = '```json\n{"message": "Back to one?", "question": 1, "done": false}\n```'
    turn = LLMAgent.parse(fenced, QUESTIONS, [{"role": "assistant", "content": "Q2", "question": 1}])
    assert turn == Turn("Back to one?", 1, False)


@pytest.fixture
def app_config(fake_llm):
    return {"OPENAI_BASE_URL": fake_llm.url, "OPENAI_API_KEY": "sk-test", "FRANKO_LLM_MODEL": "test-model",
            "FRANKO_LLM_TIMEOUT": 0.5}


def test_interview_with_llm_agent_through_the_app(app, setup, fake_llm):
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    assert ada.messages()[0]["content"] == f"LLM asks: {QUESTIONS[0]}"
    for answer in ["I bake bread", "Flour prices", "A new oven"]:
        ada.answer(answer)
    response = ada.stored()
    assert response.status == "completed" and response.completion_status == "3/3"
    assert ada.messages()[-1]["content"] == "LLM: thank you, that is all."
    assert len(fake_llm.requests) == 4
    system = fake_llm.requests[0]["body"]["messages"][0]["content"]
    assert ORGANISATION in system and DESCRIPTION in system and QUESTIONS[2] in system
    assert GUIDE.splitlines()[0].lstrip("# ") not in system  # the title is no question


@pytest.mark.parametrize("mode", ["error", "hang"])
def test_interview_goes_on_when_the_llm_fails_midway(app, setup, fake_llm, mode):
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    fake_llm.mode = mode
    ada.answer("I bake bread for forty cafés")  # the default agent takes this turn
    assert ada.messages()[-1]["content"] == QUESTIONS[1]
    fake_llm.mode = "ok"
    ada.answer("Flour prices keep on rising")
    assert ada.messages()[-1]["content"] == f"LLM asks: {QUESTIONS[2]}"
    ada.answer("A second oven would help")
    assert ada.stored().status == "completed" and ada.stored().completion_status == "3/3"
