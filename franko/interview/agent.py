"""The interviewer: one small interface, a deterministic default agent and an LLM agent.

An agent is given the guide's questions, who it speaks for and the conversation so far, and
returns its next `Turn`. Each assistant message it wrote carries the index of the guide question
it was about (`question`), so any agent can pick up where another one left off.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

log = logging.getLogger(__name__)

SHORT_ANSWER_WORDS = 4  # an answer with fewer words gets one follow-up
FOLLOW_UPS = (
    "Could you tell me a bit more about that?",
    "Could you give an example?",
    "What makes you say that?",
)


@dataclass(frozen=True)
class Context:
    """Who the interview is for and with: the agent's framing."""

    organisation_name: str
    organisation_description: str
    interviewee_name: str


@dataclass(frozen=True)
class Turn:
    """The agent's next message; `question` is the guide question it is about (None: the closing)."""

    message: str
    question: int | None
    done: bool


class Agent(Protocol):
    def next_turn(self, questions: list[str], context: Context, conversation: list[Mapping[str, Any]]) -> Turn:
        """The next message, given the guide's questions, the context and the conversation so far."""


def last_question(conversation: list[Mapping[str, Any]]) -> int | None:
    """The guide question the agent asked about most recently, None before the first."""
    for message in reversed(conversation):
        if message.get("role") == "assistant" and message.get("question") is not None:
            return int(message["question"])
    return None


def covered(conversation: list[Mapping[str, Any]]) -> int:
    """How many guide questions were asked and then answered."""
    answered: set[int] = set()
    pending: int | None = None
    for message in conversation:
        if message.get("role") == "assistant":
            pending = message.get("question")
        elif message.get("role") == "user" and pending is not None:
            answered.add(int(pending))
    return len(answered)


class DefaultAgent:
    """No network, deterministic: the guide in order, one follow-up to a very short answer, thanks."""

    def next_turn(self, questions: list[str], context: Context, conversation: list[Mapping[str, Any]]) -> Turn:
        current = last_question(conversation)
        if current is None:
            if not questions:
                return self.closing(context)
            greeting = (f"Hello {context.interviewee_name}, thank you for taking the time to talk with "
                        f"{context.organisation_name}. I'll ask you {len(questions)} "
                        f"question{'s' if len(questions) != 1 else ''}; answer in your own words.")
            return Turn(f"{greeting}\n\n{questions[0]}", 0, False)
        answer = next((m["content"] for m in reversed(conversation) if m.get("role") == "user"), "")
        asked = sum(1 for m in conversation if m.get("role") == "assistant" and m.get("question") == current)
        if asked == 1 and len(answer.split()) < SHORT_ANSWER_WORDS and current < len(questions):
            return Turn(FOLLOW_UPS[current % len(FOLLOW_UPS)], current, False)
        if current + 1 < len(questions):
            return Turn(questions[current + 1], current + 1, False)
        return self.closing(context)

    @staticmethod
    def closing(context: Context) -> Turn:
        return Turn(f"Thank you, {context.interviewee_name}! That was the last question. Your answers "
                    f"have been saved and shared with {context.organisation_name}; you can close this page now.",
                    None, True)


SYSTEM_PROMPT = """You are a friendly, neutral interviewer for {name}.
About {name}: {description}

You interview {interviewee} in a written chat, following this interview guide:
{guide}

Rules:
- Ask the guide's questions in order, one message at a time, one question per message.
- When an answer is very short or vague, you may ask one short follow-up about the same question.
- Do not answer questions yourself, give advice or share opinions.
- After the last question has been answered, thank {interviewee} and end the interview.

Reply with a JSON object only, no other text:
{{"message": "<your next message>", "question": <number of the guide question the message is about, or null when it is the closing thanks>, "done": <true only for the closing thanks>}}"""

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class LLMAgent:
    """An LLM through any OpenAI-compatible endpoint; a turn that fails is the default agent's."""

    def __init__(self, base_url: str | None, api_key: str | None, model: str, timeout: float,
                 fallback: Agent | None = None):
        self.base_url, self.api_key, self.model, self.timeout = base_url, api_key, model, timeout
        self.fallback = fallback or DefaultAgent()

    def next_turn(self, questions: list[str], context: Context, conversation: list[Mapping[str, Any]]) -> Turn:
        if not questions:
            return self.fallback.next_turn(questions, context, conversation)
        try:
            return self._ask(questions, context, conversation)
        except Exception as error:  # noqa: BLE001 — any failure of the endpoint: the interview goes on
            log.warning("LLM agent failed (%s: %s); this turn is the default agent's", type(error).__name__, error)
            return self.fallback.next_turn(questions, context, conversation)

    def prompt(self, questions: list[str], context: Context, conversation: list[Mapping[str, Any]]) -> list[dict]:
        guide = "\n".join(f"{n}. {q}" for n, q in enumerate(questions, start=1))
        system = SYSTEM_PROMPT.format(name=context.organisation_name,
                                      description=context.organisation_description or "(no description given)",
                                      interviewee=context.interviewee_name, guide=guide)
        messages = [{"role": "system", "content": system}]
        messages += [{"role": m["role"], "content": m["content"]} for m in conversation]
        if not conversation:
            messages.append({"role": "user", "content": "(The interviewee has joined. Greet them and ask question 1.)"})
        return messages

    def _ask(self, questions: list[str], context: Context, conversation: list[Mapping[str, Any]]) -> Turn:
        from openai import OpenAI

        with OpenAI(base_url=self.base_url, api_key=self.api_key or "not-needed",
                    timeout=self.timeout, max_retries=0) as client:
            completion = client.chat.completions.create(
                model=self.model, messages=self.prompt(questions, context, conversation), temperature=0.3,
            )
        return self.parse(completion.choices[0].message.content or "", questions, conversation)

    @staticmethod
    def parse(content: str, questions: list[str], conversation: list[Mapping[str, Any]]) -> Turn:
        """The model's JSON reply as a Turn; ValueError when it is unusable (the turn then falls back)."""
        data = json.loads(_FENCE.sub("", content.strip()))
        message = str(data.get("message") or "").strip()
        if not message:
            raise ValueError("empty message")
        done = bool(data.get("done"))
        number = data.get("question")
        if done:
            return Turn(message, None, True)
        if not isinstance(number, int) or not 1 <= number <= len(questions):
            raise ValueError(f"question number {number!r} is not in the guide")
        # Never back to an earlier question: coverage only grows.
        previous = last_question(conversation)
        index = max(number - 1, previous or 0)
        return Turn(message, index, False)


def agent_from_config(config: Mapping[str, Any]) -> Agent:
    """The LLM agent when a model and an endpoint (base URL or API key) are configured, else the default."""
    model = config.get("FRANKO_LLM_MODEL")
    if model and (config.get("OPENAI_BASE_URL") or config.get("OPENAI_API_KEY")):
        return LLMAgent(config.get("OPENAI_BASE_URL"), config.get("OPENAI_API_KEY"), model,
                        float(config.get("FRANKO_LLM_TIMEOUT") or 20))
    return DefaultAgent()
