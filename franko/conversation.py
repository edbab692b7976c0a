"""The stored conversation of a response: one type for `chat_responses.messages_json`, read and written here only.

New rows hold a JSON list of messages ({"role", "content", "at", "question"}). Old and imported rows
hold all sorts (a dict around the list, items without a role, invalid JSON, plain text): what is
not a list of messages is kept as `text`, shown as text, never an error.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

AGENT_ROLES = {"assistant", "agent", "bot", "ai"}
INTERVIEWEE_ROLES = {"user", "interviewee", "human"}


@dataclass(frozen=True)
class Entry:
    """A message as the owner reads it: who spoke, what, when."""

    side: str  # "agent", "interviewee" or "other"
    content: str
    at: datetime | None
    index: int | None = None  # the message's position in the conversation (question records point at it)


class Conversation:
    """An immutable list of message dicts; `text` holds a stored value that was no such list."""

    __slots__ = ("messages", "text")

    def __init__(self, messages: list[Mapping[str, Any]] | tuple = (), text: str | None = None):
        self.messages: tuple[dict, ...] = tuple(dict(m) for m in messages)
        self.text = text

    @classmethod
    def load(cls, raw: str | None) -> Conversation:
        if not raw or not raw.strip():
            return cls()
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return cls(text=raw)
        if isinstance(data, dict) and isinstance(data.get("messages"), list):
            data = data["messages"]
        if not isinstance(data, list):
            return cls(text=raw)
        return cls([m for m in data if isinstance(m, dict)])

    def dump(self) -> str | None:
        if self.text is not None:
            return self.text
        return json.dumps(list(self.messages), ensure_ascii=False)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def __getitem__(self, index):
        return self.messages[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Conversation) and (self.messages, self.text) == (other.messages, other.text)

    def __repr__(self) -> str:
        return f"<Conversation {len(self.messages)} messages{' + text' if self.text else ''}>"

    def __add__(self, more: list[Mapping[str, Any]]) -> Conversation:
        return Conversation(list(self.messages) + list(more))

    def has_answer(self) -> bool:
        return any(m.get("role") == "user" for m in self.messages)

    def entries(self) -> list[Entry]:
        """The messages for reading: system prompts and empty ones left out, roles mapped to sides."""
        found = []
        for index, item in enumerate(self.messages):
            role = str(item.get("role") or "").lower()
            if role == "system":
                continue
            content = _text(item.get("content"))
            if content:
                side = "agent" if role in AGENT_ROLES else "interviewee" if role in INTERVIEWEE_ROLES else "other"
                found.append(Entry(side, content, _time(item.get("at")), index))
        return found


class ConversationType(sa.TypeDecorator):
    """A Text column holding a Conversation (a JSON string given directly is stored as it is)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, str):
            return value
        if not isinstance(value, Conversation):
            value = Conversation(value)
        return value.dump()

    def process_result_value(self, value, dialect):
        return Conversation.load(value)


def _text(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):  # OpenAI-style parts: [{"type": "text", "text": "…"}]
        return " ".join(_text(part.get("text")) if isinstance(part, dict) else _text(part) for part in content).strip()
    return str(content)


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
