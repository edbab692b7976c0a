"""The interviewer: a deterministic default agent and an LLM agent, both streaming their turn.

An agent is given the guide, who it speaks for and the conversation so far. `stream` yields the
reply's text as it is written, then the `Turn` itself. Each assistant message carries the index
of the guide question it was about (`question`), so any agent can pick up where another left off.
The rules of order and of closing live here (`plan`), so the LLM's word alone never skips a
question or ends an interview.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from franko.guide import Guide, plain_text

log = logging.getLogger(__name__)

SHORT_ANSWER_WORDS = 4  # an answer with fewer words gets one follow-up
# The timeout bounds the wait for each piece of a streamed reply; a whole reply may take this many
# times as long before the turn falls back (gunicorn.conf.py's timeout is above that).
TURN_TIMEOUT_FACTOR = 2
MAX_MESSAGES_PER_QUESTION = 3  # the question and at most two follow-ups, then the guide moves on
FOLLOW_UP = "Could you tell me a bit more about that?"
# "Nope, that's all!", "Nothing else, thanks": the interviewee has nothing more to add.
CLOSING_REMARK = re.compile(
    r"\b(that'?s (all|it|everything)|that is (all|it)|nothing (else|more)|no more|i'?m done|all good|"
    r"no,? thanks?( you)?|nope,? thanks?)\b", re.IGNORECASE)
# How an interviewer's message may begin when it asks without a question mark.
ASKING_WORDS = {"tell", "describe", "please", "share", "walk", "explain", "talk", "give", "say", "let's", "lets"}
Message = Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """Who the interview is for and with: the agent's framing."""

    organisation_name: str
    organisation_description: str
    interviewee_name: str


@dataclass(frozen=True)
class Turn:
    """The agent's next message; `question` is the guide question it is about (None: the closing).

    `by` says who wrote it: "default", or "model" for the LLM (a turn that fell back is "default").
    """

    message: str
    question: int | None
    done: bool
    by: str = "default"


class Agent(Protocol):
    def stream(self, guide: Guide, context: Context, conversation: Sequence[Message]) -> Iterator[str | Turn]:
        """The reply's text as it is written, then the Turn (always last)."""


def next_turn(agent: Agent, guide: Guide, context: Context, conversation: Sequence[Message]) -> Turn:
    """The agent's whole turn, for callers that do not stream."""
    turn = None
    for item in agent.stream(guide, context, conversation):
        if isinstance(item, Turn):
            turn = item
    assert turn is not None, "an agent's stream ends with its Turn"
    return turn


def last_question(conversation: Sequence[Message]) -> int | None:
    """The guide question the agent asked about most recently, None before the first."""
    for message in reversed(conversation):
        if message.get("role") == "assistant" and message.get("question") is not None:
            return int(message["question"])
    return None


def covered(conversation: Sequence[Message]) -> int:
    """How many guide questions were asked and then answered."""
    answered: set[int] = set()
    pending: int | None = None
    for message in conversation:
        if message.get("role") == "assistant":
            pending = message.get("question")
        elif message.get("role") == "user" and pending is not None:
            answered.add(int(pending))
    return len(answered)


def reach(conversation: Sequence[Message]) -> tuple[int, int]:
    """(questions reached, questions answered): reached counts every question the agent has asked.

    The agent asks in order and moves on only after an answer, so question i was reached when
    `reached > i` and answered when `answered > i`: the instance's coverage adds these up.
    """
    asked = [int(m["question"]) for m in conversation if m.get("role") == "assistant" and m.get("question") is not None]
    return (max(asked) + 1 if asked else 0), covered(conversation)


def is_closing_remark(answer: str) -> bool:
    return bool(CLOSING_REMARK.search(answer.replace("’", "'")))


@dataclass(frozen=True)
class Step:
    """What the guide calls for next: a follow-up on `question`, the next `question`, or the closing."""

    question: int | None
    follow_up: bool
    done: bool


def plan(guide: Guide, conversation: Sequence[Message]) -> Step:
    """The next step by the guide's rules: in order, one follow-up to a short answer, close after the last."""
    current = last_question(conversation)
    if current is None:
        return Step(0, False, False) if guide.questions else Step(None, False, True)
    answer = next((str(m.get("content") or "") for m in reversed(conversation) if m.get("role") == "user"), "")
    asked = sum(1 for m in conversation if m.get("role") == "assistant" and m.get("question") == current)
    if (asked == 1 and current < len(guide) and len(answer.split()) < SHORT_ANSWER_WORDS
            and not is_closing_remark(answer)):
        return Step(current, True, False)
    if current + 1 < len(guide):
        return Step(current + 1, False, False)
    return Step(None, False, True)


class DefaultAgent:
    """No network, deterministic: the guide in order, its first probe after a short answer, the closing."""

    def stream(self, guide: Guide, context: Context, conversation: Sequence[Message]) -> Iterator[str | Turn]:
        turn = self.turn(guide, context, conversation)
        yield turn.message
        yield turn

    def turn(self, guide: Guide, context: Context, conversation: Sequence[Message]) -> Turn:
        step = plan(guide, conversation)
        if step.done:
            return self.closing(guide, context)
        question = guide.questions[step.question]
        if step.follow_up:
            return Turn(question.probes[0] if question.probes else FOLLOW_UP, step.question, False)
        if not conversation:
            n = len(guide)
            greeting = (f"Hello {context.interviewee_name}, thank you for taking the time to talk with "
                        f"{context.organisation_name}. I'll ask you {n} question{'s' if n != 1 else ''}; "
                        f"answer in your own words.")
            return Turn(f"{greeting}\n\n{question.text}", 0, False)
        return Turn(question.text, step.question, False)

    @staticmethod
    def closing(guide: Guide, context: Context) -> Turn:
        if guide.closing:
            return Turn(guide.closing, None, True)
        return Turn(f"Thank you, {context.interviewee_name}! That was the last question. Your answers "
                    f"have been saved and shared with {context.organisation_name}; you can close this page now.",
                    None, True)


SYSTEM_PROMPT = """You are a friendly, neutral interviewer for {name}.
About {name}: {description}

You interview {interviewee} in a written chat. {interviewee} is the user; you never write their answers.
{introduction}
The interview guide: ask these questions in this order, one per message.
{questions}
{instructions}
Rules:
- One message at a time, one question per message, in the guide's order; never skip a question.
- When an answer is short or vague you may ask one follow-up about the same question (the follow-up ideas help).
- Never answer a question yourself, never write as {interviewee}, give no advice or opinions.
- Only after every question has been asked and answered, thank {interviewee} and end the interview.

Reply with one JSON object only, no other text:
{{"message": "<your next message>", "question": <number of the guide question the message is about, or null for the closing thanks>, "done": <true only for the closing thanks>}}"""


@lru_cache(maxsize=8)
def openai_client(base_url: str | None, api_key: str | None, timeout: float):
    """One client (one connection pool) per process and endpoint, shared by every request thread."""
    from openai import OpenAI

    return OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)


class UnusableReply(ValueError):
    """The model's reply breaks a rule; the turn is the default agent's."""


class LLMAgent:
    """An LLM through any OpenAI-compatible endpoint; any failure, mid-stream too, falls back to the default agent."""

    def __init__(self, base_url: str | None, api_key: str | None, model: str, timeout: float,
                 fallback: DefaultAgent | None = None):
        self.base_url, self.api_key, self.model, self.timeout = base_url, api_key, model, timeout
        self.fallback = fallback or DefaultAgent()

    def stream(self, guide: Guide, context: Context, conversation: Sequence[Message]) -> Iterator[str | Turn]:
        if not guide.questions:
            yield from self.fallback.stream(guide, context, conversation)
            return
        try:
            reader, gate = MessageReader(), Gate(context.interviewee_name)
            client = openai_client(self.base_url, self.api_key, self.timeout)  # the first call imports openai
            deadline = time.monotonic() + TURN_TIMEOUT_FACTOR * self.timeout  # the model's time, not ours
            with client.chat.completions.create(
                model=self.model, messages=self.prompt(guide, context, conversation), temperature=0.3,
                response_format={"type": "json_object"}, stream=True,
            ) as chunks:  # closed on leaving, a failure included: the connection goes back to the pool
                for chunk in chunks:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the reply took over {TURN_TIMEOUT_FACTOR * self.timeout:g} s")
                    delta = chunk.choices[0].delta.content if chunk.choices else None
                    text = gate.feed(reader.feed(delta or ""))
                    if text:
                        yield text
            turn = self.parse(reader.content, guide, context, conversation)
        except Exception as error:  # noqa: BLE001 — any failure of the endpoint or the reply: the interview goes on
            log.warning("LLM agent failed (%s: %s); this turn is the default agent's", type(error).__name__, error)
            turn = self.fallback.turn(guide, context, conversation)
        yield turn

    def prompt(self, guide: Guide, context: Context, conversation: Sequence[Message]) -> list[dict]:
        """The system prompt, then the earlier turns, the agent's own in the JSON it must answer in."""
        questions = []
        for n, q in enumerate(guide.questions, start=1):
            line = f"{n}. {plain_text(q.text)}"
            if q.probes:
                line += "\n   Follow-up ideas: " + "; ".join(plain_text(p) for p in q.probes)
            questions.append(line)
        instructions = "".join(f"- {plain_text(i)}\n" for i in guide.instructions)
        system = SYSTEM_PROMPT.format(
            name=context.organisation_name, interviewee=context.interviewee_name,
            description=context.organisation_description or "(no description given)",
            introduction=f"What {context.interviewee_name} was told before starting: {plain_text(guide.introduction)}\n"
            if guide.introduction else "",
            questions="\n".join(questions),
            instructions=f"\nInstructions from {context.organisation_name}:\n{instructions}" if instructions else "",
        )
        messages = [{"role": "system", "content": system}]
        for m in conversation:
            if m.get("role") == "assistant":
                q = m.get("question")
                content = json.dumps({"message": m.get("content", ""), "question": None if q is None else int(q) + 1,
                                      "done": q is None}, ensure_ascii=False)
                messages.append({"role": "assistant", "content": content})
            elif m.get("role") == "user":
                messages.append({"role": "user", "content": str(m.get("content", ""))})
        if not conversation:
            messages.append({"role": "user", "content": f"(The interviewee has joined. Greet {context.interviewee_name} "
                                                        "and ask question 1.)"})
        return messages

    @staticmethod
    def parse(content: str, guide: Guide, context: Context, conversation: Sequence[Message]) -> Turn:
        """The model's reply as a Turn, held to the guide's order; UnusableReply when it cannot be used.

        A reply in prose is the message for the step the guide calls for; `done` counts only once
        every question was asked; a reply that reads as the interviewee's answer is not used.
        """
        step = plan(guide, conversation)
        text = _FENCE.sub("", content.strip())
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if data is None and text.startswith("{"):
            raise UnusableReply("broken JSON")
        if not isinstance(data, dict):  # prose: the message for the step the guide calls for
            message = content.strip()
            if not message:
                raise UnusableReply("empty reply")
            _check_asks(message, step.done, context)
            return Turn(message, step.question, step.done, "model")
        message = str(data.get("message") or "").strip()
        if not message:
            raise UnusableReply("empty message")
        previous = last_question(conversation)
        everything_asked = previous is not None and previous >= len(guide) - 1
        if data.get("done") is True or (data.get("question") is None and everything_asked):
            if not everything_asked:
                raise UnusableReply("done before every question was asked")
            return Turn(message, None, True, "model")
        _check_asks(message, False, context)
        number = data.get("question")
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(guide):
            if step.done:
                raise UnusableReply(f"question number {number!r} after the last question")
            return Turn(message, step.question, False, "model")
        index = number - 1 if previous is None else max(number - 1, previous)  # never back to an earlier one
        if index > (previous + 1 if previous is not None else 0):
            raise UnusableReply(f"question {number} skips the guide's order")
        asked = sum(1 for m in conversation if m.get("role") == "assistant" and m.get("question") == index)
        if asked >= MAX_MESSAGES_PER_QUESTION:
            raise UnusableReply(f"question {number} asked {asked} times already")
        return Turn(message, index, False, "model")


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_SPEAKER = re.compile(r"^\s*[\w .'-]{1,40}:\s")


def _check_asks(message: str, closing: bool, context: Context) -> None:
    """An interviewer's message asks something (or closes); one that answers, as the interviewee, is refused."""
    speaker = _SPEAKER.match(message)
    if speaker and speaker.group(0).strip().rstrip(":").lower() in {
            context.interviewee_name.lower(), "interviewee", "user", "me", "answer"}:
        raise UnusableReply("the reply speaks as the interviewee")
    if closing:
        return
    first = (message.split() or [""])[0].lower().strip(",.!")
    if "?" not in message and first not in ASKING_WORDS:
        raise UnusableReply("the reply asks nothing (it reads as the interviewee's answer)")


FIRST_PERSON = {"i", "i'm", "i've", "i'd", "we", "we're", "we've", "my", "our", "me", "us"}


class Gate:
    """Holds the streamed text back while it may be the interviewee speaking, so such a reply is never shown.

    A reply that opens with "I …", "We …", "My …" or "<their name>: …" is held until a question mark
    shows it is the interviewer's after all; any other opening streams from its first letter.
    """

    def __init__(self, interviewee_name: str = ""):
        self.speakers = {w + ":" for w in (interviewee_name.lower(), "interviewee", "user", "answer", "me") if w}
        self.held = ""
        self.open = False

    def feed(self, text: str) -> str:
        if self.open or not text:
            return text
        self.held += text
        words = self.held.replace("’", "'").lower().split()
        if not words:
            return ""
        complete = len(words) > 1 or self.held[-1].isspace()
        suspects = FIRST_PERSON | self.speakers
        if not complete and any(s.startswith(words[0]) for s in suspects):
            return ""  # "I", "We", "Ad…": wait for the whole first word
        if complete and (words[0].strip(",.!;") in FIRST_PERSON or words[0] in self.speakers) and "?" not in self.held:
            return ""
        self.open = True
        return self.held


class MessageReader:
    """Reads a streamed reply: the text of its "message" while the JSON arrives, or the prose as it is."""

    def __init__(self):
        self.content = ""
        self._mode: str | None = None  # "json" or "prose"
        self._start: int | None = None  # where the message string's characters begin in `content`
        self._done = 0  # characters of the message string already read (escaped form)
        self._closed = False

    def feed(self, delta: str) -> str:
        self.content += delta
        if self._mode is None:
            head = self.content.lstrip()
            if not head:
                return ""
            self._mode = "json" if head[0] in "{`" else "prose"
        if self._mode == "prose":
            return delta
        return self._message_text()

    def _message_text(self) -> str:
        if self._closed:
            return ""
        if self._start is None:
            match = re.search(r'"message"\s*:\s*"', self.content)
            if not match:
                return ""
            self._start = match.end()
        raw = self.content[self._start:]
        out, i = [], self._done
        while i < len(raw):
            char = raw[i]
            if char == '"':
                self._closed = True
                break
            if char == "\\":
                escape = raw[i:i + 6] if raw[i + 1:i + 2] == "u" else raw[i:i + 2]
                if len(escape) < (6 if raw[i + 1:i + 2] == "u" else 2):
                    break  # the rest of the escape is in the next chunk
                try:
                    out.append(json.loads(f'"{escape}"'))
                except ValueError:
                    out.append(escape)
                i += len(escape)
                continue
            out.append(char)
            i += 1
        self._done = i
        return "".join(out)


@dataclass(frozen=True)
class LLMSettings:
    """The configured OpenAI-compatible endpoint (the agent's, the summaries' and the themes')."""

    base_url: str | None
    api_key: str | None
    model: str
    timeout: float

    def client(self):
        return openai_client(self.base_url, self.api_key, self.timeout)


def llm_settings(config: Mapping[str, Any]) -> LLMSettings | None:
    """The endpoint when a model and an endpoint (base URL or API key) are configured, else None."""
    model = config.get("FRANKO_LLM_MODEL")
    if model and (config.get("OPENAI_BASE_URL") or config.get("OPENAI_API_KEY")):
        return LLMSettings(config.get("OPENAI_BASE_URL"), config.get("OPENAI_API_KEY"), model,
                           float(config.get("FRANKO_LLM_TIMEOUT") or 20))
    return None


def agent_from_config(config: Mapping[str, Any]) -> Agent:
    """The LLM agent when a model and an endpoint (base URL or API key) are configured, else the default."""
    settings = llm_settings(config)
    if settings is not None:
        return LLMAgent(settings.base_url, settings.api_key, settings.model, settings.timeout)
    return DefaultAgent()
