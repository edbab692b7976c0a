"""The agents: the deterministic default, and the LLM through a real client against a local fake endpoint
that misbehaves the way small models do (prose, an early "done", a reply as the interviewee, a broken stream)."""
import json

import pytest

from franko.guide import parse_guide
from franko.interview.agent import (Context, DefaultAgent, LLMAgent, MessageReader, Turn, UnusableReply,
                                    agent_from_config, covered, is_closing_remark, next_turn, openai_client)
from tests.interview.conftest import DESCRIPTION, GUIDE, ORGANISATION, QUESTIONS, Interviewee

CONTEXT = Context(ORGANISATION, DESCRIPTION, "Ada")
PLAIN = parse_guide(GUIDE)
PROBED = parse_guide("# Study\n\n> Never suggest an answer.\n\n- What do you do?\n  - Probe: What does a typical "
                     "morning look like?\n  - Who helps you?\n- What is hard about it?\n- What would help?\n\n"
                     "## Closing\nThank you, that is all!")
OPENING = [{"role": "assistant", "content": "Hi", "question": 0}]


def play(agent, answers: list[str], guide=PLAIN) -> list[dict]:
    """A conversation: the agent's turns interleaved with `answers`, stopping when it is done."""
    conversation = []
    turn = next_turn(agent, guide, CONTEXT, conversation)
    for answer in answers + [None]:
        conversation.append({"role": "assistant", "content": turn.message, "question": turn.question})
        if turn.done or answer is None:
            break
        conversation.append({"role": "user", "content": answer})
        turn = next_turn(agent, guide, CONTEXT, conversation)
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


def test_default_agent_follows_up_with_the_first_probe_and_closes_with_the_guides_closing():
    conversation = play(DefaultAgent(), ["Baking.", "a long enough answer here", "another long enough answer", "a third long enough answer"],
                        guide=PROBED)
    asked = [(m["content"], m["question"]) for m in conversation if m["role"] == "assistant"]
    assert asked[1] == ("What does a typical morning look like?", 0)
    assert ("Who helps you?", 0) not in asked  # only the first probe, never asked as a question of its own
    assert asked[-1] == ("Thank you, that is all!", None)
    assert all("Never suggest" not in content for content, _ in asked)


@pytest.mark.parametrize("answer", ["Nope, that's all!", "Nothing else, thanks", "That’s it.", "no thanks"])
def test_no_follow_up_after_a_closing_remark(answer):
    assert is_closing_remark(answer)
    conversation = play(DefaultAgent(), [answer], guide=PROBED)
    assert conversation[-1] == {"role": "assistant", "content": QUESTIONS[1], "question": 1}


@pytest.mark.parametrize("answer", ["No.", "Bread", "I bake"])
def test_short_answers_are_not_closing_remarks(answer):
    assert not is_closing_remark(answer)


def test_default_agent_is_deterministic():
    answers = ["No.", "I bake bread for cafés", "Ovens.", "More staff would help a lot"]
    assert play(DefaultAgent(), answers) == play(DefaultAgent(), answers)


def test_agent_is_chosen_from_config():
    assert isinstance(agent_from_config({}), DefaultAgent)
    assert isinstance(agent_from_config({"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}), DefaultAgent)  # no model
    llm = agent_from_config({"OPENAI_BASE_URL": "http://127.0.0.1:1/v1", "FRANKO_LLM_MODEL": "m",
                             "FRANKO_LLM_TIMEOUT": 3})
    assert isinstance(llm, LLMAgent) and llm.timeout == 3.0


def test_one_client_per_process():
    first = openai_client("http://127.0.0.1:1/v1", "k", 3.0)
    assert openai_client("http://127.0.0.1:1/v1", "k", 3.0) is first
    assert openai_client("http://127.0.0.1:2/v1", "k", 3.0) is not first


def agent(fake_llm, timeout=5):
    return LLMAgent(fake_llm.url, "sk-test", "test-model", timeout=timeout)


def test_llm_agent_streams_and_sends_its_turns_in_the_format_it_answers_in(fake_llm):
    conversation = [{"role": "assistant", "content": "Hi Ada. What do you do?", "question": 0},
                    {"role": "user", "content": "I bake bread"}]
    items = list(agent(fake_llm).stream(PROBED, CONTEXT, conversation))
    *pieces, turn = items
    assert turn == Turn(f"LLM asks: {QUESTIONS[1]}", 1, False, "model")
    assert len(pieces) > 1 and "".join(pieces) == turn.message  # the message text, streamed piece by piece
    (request,) = fake_llm.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "test-model" and body["stream"] is True
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]["content"]
    assert ORGANISATION in system and DESCRIPTION in system
    for n, question in enumerate(QUESTIONS, start=1):
        assert f"{n}. {question}" in system
    assert "Follow-up ideas: What does a typical morning look like?; Who helps you?" in system
    assert "Never suggest an answer." in system
    assert body["messages"][1:] == [
        {"role": "assistant", "content": json.dumps({"message": "Hi Ada. What do you do?", "question": 1,
                                                     "done": False})},
        {"role": "user", "content": "I bake bread"}]


@pytest.mark.parametrize("mode", ["error", "hang", "broken_stream"])
def test_llm_agent_falls_back_to_default_on_any_failure(fake_llm, mode):
    fake_llm.mode = mode
    conversation = OPENING + [{"role": "user", "content": "I bake bread for cafés"}]
    turn = next_turn(agent(fake_llm, timeout=0.5), PLAIN, CONTEXT, conversation)
    assert turn == DefaultAgent().turn(PLAIN, CONTEXT, conversation) and turn.by == "default"
    assert len(fake_llm.requests) == 1  # one attempt, no retries


def test_a_reply_that_trickles_past_the_deadline_falls_back(fake_llm):
    fake_llm.delay = 0.3  # every piece within the timeout, the whole reply well past twice it
    conversation = OPENING + [{"role": "user", "content": "I bake bread for cafés"}]
    turn = next_turn(agent(fake_llm, timeout=0.5), PLAIN, CONTEXT, conversation)
    assert turn == Turn(QUESTIONS[1], 1, False, "default")


def test_broken_stream_is_withdrawn_after_streaming_part_of_it(fake_llm):
    fake_llm.mode = "broken_stream"
    conversation = OPENING + [{"role": "user", "content": "I bake bread for cafés"}]
    *pieces, turn = list(agent(fake_llm).stream(PLAIN, CONTEXT, conversation))
    assert "".join(pieces).startswith("LLM asks")  # part of the reply was streamed before the break
    assert turn == Turn(QUESTIONS[1], 1, False, "default")  # and replaced by the default agent's turn


def test_prose_reply_is_the_message_for_the_current_question(fake_llm):
    fake_llm.mode = "prose"
    conversation = OPENING + [{"role": "user", "content": "I bake bread for forty cafés"}]
    *pieces, turn = list(agent(fake_llm).stream(PLAIN, CONTEXT, conversation))
    assert turn == Turn(f"LLM asks in prose: {QUESTIONS[1]}", 1, False, "model")
    assert "".join(pieces) == turn.message


def test_early_done_does_not_end_the_interview(fake_llm):
    fake_llm.mode = "early_done"
    conversation = OPENING + [{"role": "user", "content": "I bake bread for forty cafés"}]
    turn = next_turn(agent(fake_llm), PLAIN, CONTEXT, conversation)
    assert turn == Turn(QUESTIONS[1], 1, False, "default")


def test_done_is_trusted_once_every_question_was_asked(fake_llm):
    fake_llm.mode = "early_done"
    conversation = [{"role": "assistant", "content": q, "question": n} for n, q in enumerate(QUESTIONS)]
    conversation = [m for pair in zip(conversation, [{"role": "user", "content": "a long answer"}] * 3) for m in pair]
    assert next_turn(agent(fake_llm), PLAIN, CONTEXT, conversation) == Turn(
        "Thanks, that's all I needed!", None, True, "model")


def test_reply_as_the_interviewee_is_not_used_nor_streamed(fake_llm):
    fake_llm.mode = "as_interviewee"
    conversation = OPENING + [{"role": "user", "content": "Bread."}]
    *pieces, turn = list(agent(fake_llm).stream(PLAIN, CONTEXT, conversation))
    assert pieces == []  # never shown, not even for a moment
    assert "I bake bread for forty cafés" not in turn.message and turn.by == "default"


def test_the_gate_holds_first_person_text_until_it_asks():
    from franko.interview.agent import Gate

    gate = Gate()
    assert [gate.feed(p) for p in ["I ", "see. ", "What ", "else?", " More"]] == ["", "", "", "I see. What else?", " More"]
    ada = Gate("Ada")
    assert [ada.feed(p) for p in ["Ad", "a: I ", "bake."]] == ["", "", ""]
    free = Gate("Ada")
    assert [free.feed(p) for p in ["Tha", "nks! ", "How"]] == ["Tha", "nks! ", "How"]  # streams from the first letter
    word = Gate("Ada")
    assert [word.feed(p) for p in ["I", "nteresting! ", "Why?"]] == ["", "Interesting! ", "Why?"]


def test_skipping_a_question_is_not_used(fake_llm):
    fake_llm.mode = "skip"
    conversation = OPENING + [{"role": "user", "content": "I bake bread for forty cafés"}]
    assert next_turn(agent(fake_llm), PLAIN, CONTEXT, conversation) == Turn(QUESTIONS[1], 1, False, "default")


@pytest.mark.parametrize("content", [
    "",
    '{"message": "Q?", "question": 1',  # cut off
    json.dumps({"message": "", "question": 1, "done": False}),
    json.dumps({"message": "Ada: I bake bread.", "question": 2, "done": False}),
    json.dumps({"message": "I bake bread every day.", "question": 2, "done": False}),
    json.dumps({"message": "Q3?", "question": 3, "done": False}),  # skips question 2
])
def test_unusable_llm_reply_is_refused(content):
    conversation = OPENING + [{"role": "user", "content": "I bake bread for forty cafés"}]
    with pytest.raises(UnusableReply):
        LLMAgent.parse(content, PLAIN, CONTEXT, conversation)


def test_llm_reply_in_code_fence_never_backwards_and_lenient_numbers():
    conversation = OPENING + [{"role": "assistant", "content": "Q2", "question": 1},
                              {"role": "user", "content": "Flour."}]
    fenced = '```json\n{"message": "Back to one?", "question": 1, "done": false}\n```'
    assert LLMAgent.parse(fenced, PLAIN, CONTEXT, conversation) == Turn("Back to one?", 1, False, "model")
    odd = json.dumps({"message": "Tell me more about flour.", "question": "two", "done": False})
    assert LLMAgent.parse(odd, PLAIN, CONTEXT, conversation) == Turn("Tell me more about flour.", 1, False, "model")


def test_message_reader_streams_the_message_of_partial_json():
    reader = MessageReader()
    pieces = ['{"mess', 'age": "Hel', 'lo \\"A', 'da\\" \\u00e9', 't\\u00e9?", "question": 1}']
    assert "".join(reader.feed(p) for p in pieces) == 'Hello "Ada" été?'
    prose = MessageReader()
    assert prose.feed("  So, ") + prose.feed("what next?") == "  So, what next?"


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
    assert {m.get("by") for m in ada.messages() if m["role"] == "assistant"} == {"model"}
    agent = [r for r in fake_llm.requests if "The interview guide" in r["body"]["messages"][0]["content"]]
    assert len(agent) == 4  # the greeting and three replies (the completed response's summary is another request)
    system = agent[0]["body"]["messages"][0]["content"]
    assert ORGANISATION in system and DESCRIPTION in system and QUESTIONS[2] in system
    assert GUIDE.splitlines()[0].lstrip("# ") not in system  # the title is no question


@pytest.mark.parametrize("mode", ["error", "hang", "broken_stream", "early_done", "as_interviewee"])
def test_interview_goes_on_when_the_llm_fails_midway(app, setup, fake_llm, mode):
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    fake_llm.mode = mode
    ada.answer("I bake bread for forty cafés")  # the default agent takes this turn
    assert ada.messages()[-2]["content"] == "I bake bread for forty cafés"  # the answer is kept
    assert ada.messages()[-1]["content"] == QUESTIONS[1] and ada.messages()[-1]["by"] == "default"
    fake_llm.mode = "ok"
    ada.answer("Flour prices keep on rising")
    assert ada.messages()[-1]["content"] == f"LLM asks: {QUESTIONS[2]}"
    ada.answer("A second oven would help")
    assert ada.stored().status == "completed" and ada.stored().completion_status == "3/3"


def sse_events(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n") if line and not line.startswith(":"))
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


@pytest.mark.parametrize("mode", ["ok", "broken_stream"])
def test_streamed_answer_through_the_app(app, setup, fake_llm, mode):
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    fake_llm.mode = mode
    reply = ada.answer("I bake bread for forty cafés", headers={"Accept": "text/event-stream"})
    assert reply.status_code == 200 and reply.mimetype == "text/event-stream"
    events = sse_events(reply.get_data(as_text=True))
    tokens = [data["text"] for name, data in events if name == "token"]
    (done,) = [data for name, data in events if name == "done"]
    assert len(tokens) > 1
    assert done["outcome"] == "answered" and done["finished"] is False
    assert done["progress"] == {"question": 2, "total": 3, "done": False}
    stored = ada.messages()
    assert stored[-2]["content"] == "I bake bread for forty cafés"
    assert done["messages"][1]["content"] == stored[-1]["content"]
    if mode == "ok":
        assert "".join(tokens) == stored[-1]["content"] == f"LLM asks: {QUESTIONS[1]}"
    else:  # what was streamed was withdrawn: the stored reply is the default agent's
        assert stored[-1]["content"] == QUESTIONS[1] and "".join(tokens) != QUESTIONS[1]
    assert done["messages"][1]["html"] == f"<p>{stored[-1]['content']}</p>\n"


def test_answer_is_kept_when_the_browser_goes_away_mid_stream(app, setup, fake_llm):
    ada = Interviewee(app, setup.instance_id)
    ada.start()
    fake_llm.delay = 0.05
    reply = ada.client.post(ada.chat_path, data={"answer": "I bake bread for forty cafés"},
                            headers={"Accept": "text/event-stream"}, buffered=False)
    chunks = iter(reply.response)
    assert next(chunks).startswith(b": reply on its way")
    assert b"event: token" in next(chunks)
    reply.close()  # the page was closed while the reply was being written
    stored = ada.messages()
    assert stored[-2]["content"] == "I bake bread for forty cafés"
    assert stored[-1]["content"] == f"LLM asks: {QUESTIONS[1]}"
