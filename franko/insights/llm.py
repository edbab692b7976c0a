"""One JSON question to the configured model, for the summaries and the themes (the agent's client, reused)."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the interview package imports the insight jobs: no import of it at load time
    from franko.interview.agent import LLMSettings

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
MAX_PROMPT_CHARS = 24_000  # what one request carries at most; longer material is cut (and said so)


class UnusableReply(ValueError):
    """The model's reply cannot be used; the offline method answers instead."""


def settings(config: Mapping[str, Any]) -> LLMSettings | None:
    """The model to ask, None when none is configured (the offline method then)."""
    from franko.interview.agent import llm_settings

    return llm_settings(config)


def ask_json(llm: LLMSettings, system: str, user: str) -> dict:
    """The model's reply to one system + user prompt as a JSON object; UnusableReply (or the client's error) otherwise."""
    reply = llm.client().chat.completions.create(
        model=llm.model, temperature=0.2, response_format={"type": "json_object"},
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    content = (reply.choices[0].message.content or "") if reply.choices else ""
    try:
        data = json.loads(_FENCE.sub("", content.strip()))
    except ValueError as error:
        raise UnusableReply(f"not JSON: {content[:80]!r}") from error
    if not isinstance(data, dict):
        raise UnusableReply("not a JSON object")
    return data


def cut(text: str, limit: int = MAX_PROMPT_CHARS) -> str:
    """The text, at most `limit` characters (a long transcript is cut, marked as such)."""
    return text if len(text) <= limit else text[:limit] + "\n[… the rest is cut]"
