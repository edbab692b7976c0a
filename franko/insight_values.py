"""What the insight jobs store: a response's summary and an instance's themes, one type each, read and written here.

Both are JSON in a Text column (`chat_responses.summary`, `chat_instances.themes`), written whole by
a job and only read by pages: a value that is not what this module wrote reads as None.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa


@dataclass(frozen=True)
class Summary:
    """A few sentences about one interview and two or three quotes, each verbatim from its transcript."""

    text: str
    quotes: tuple[str, ...]
    by: str  # "model" (the LLM) or "offline" (franko.insights.offline)
    at: datetime

    def to_json(self) -> dict:
        return {"text": self.text, "quotes": list(self.quotes), "by": self.by, "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> Summary:
        return cls(str(data["text"]), tuple(str(q) for q in data.get("quotes") or ()), str(data.get("by") or "offline"),
                   datetime.fromisoformat(data["at"]))


@dataclass(frozen=True)
class Theme:
    """A theme across an instance's responses: its label, the responses that mention it, a quote."""

    label: str
    response_ids: tuple[str, ...]
    quote: str | None = None

    @property
    def count(self) -> int:
        return len(self.response_ids)

    def to_json(self) -> dict:
        return {"label": self.label, "response_ids": list(self.response_ids), "quote": self.quote}

    @classmethod
    def from_json(cls, data: dict) -> Theme:
        return cls(str(data["label"]), tuple(str(i) for i in data.get("response_ids") or ()), data.get("quote"))


@dataclass(frozen=True)
class Themes:
    """The themes of an instance, as computed from `responses` completed responses at `at`."""

    themes: tuple[Theme, ...]
    responses: int
    by: str  # "model" or "offline"
    at: datetime

    def to_json(self) -> dict:
        return {"themes": [t.to_json() for t in self.themes], "responses": self.responses, "by": self.by,
                "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> Themes:
        return cls(tuple(Theme.from_json(t) for t in data.get("themes") or ()), int(data.get("responses") or 0),
                   str(data.get("by") or "offline"), datetime.fromisoformat(data["at"]))


class JSONRecord(sa.TypeDecorator):
    """A Text column holding one of this module's records (Summary, Themes) as JSON."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, record: type, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return json.dumps(value.to_json(), ensure_ascii=False)

    def process_result_value(self, value, dialect):
        if not value:
            return None
        try:
            return self.record.from_json(json.loads(value))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
