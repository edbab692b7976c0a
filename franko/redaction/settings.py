"""An instance's redaction settings (the `chat_instances.redaction` column) and masking what leaves Franko by them.

The column holds a comma-separated set: the kinds masked before any text goes to the LLM
(email, phone, card, iban), then where else they are masked: `csv` (the export), `webhook` (the
delivery body), `notification` (the owner's emails), and `store` (the interviewee's messages are
stored masked; otherwise the stored transcript keeps the original for the owner).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context

from franko.redaction.rules import KINDS, Redacted, redact

OUTPUTS = ("csv", "webhook", "notification")
STORE = "store"
OUTPUT_LABELS = {"csv": "the CSV export", "webhook": "the webhook's body", "notification": "notification emails"}


@dataclass(frozen=True)
class RedactionSettings:
    """What is masked (`kinds`, before the LLM always) and where else (`outputs`); `store`: kept masked."""

    kinds: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    store: bool = False

    @classmethod
    def parse(cls, value: str | None) -> RedactionSettings:
        items = {part.strip() for part in (value or "").split(",") if part.strip()}
        kinds = tuple(k for k in KINDS if k in items)
        if not kinds:
            return cls()
        return cls(kinds, tuple(o for o in OUTPUTS if o in items), STORE in items)

    def dump(self) -> str | None:
        """The column's value (None: nothing masked)."""
        if not self.kinds:
            return None
        return ",".join([*self.kinds, *self.outputs, *([STORE] if self.store else [])])

    @property
    def on(self) -> bool:
        return bool(self.kinds)

    def masks(self, output: str) -> bool:
        """Whether `output` (csv, webhook, notification) is masked too."""
        return self.on and output in self.outputs


def settings_of(instance: Any) -> RedactionSettings:
    """The settings of an instance (anything with a `redaction` attribute, or the column's value itself)."""
    value = instance if isinstance(instance, str) or instance is None else getattr(instance, "redaction", None)
    return RedactionSettings.parse(value)


def phone_region() -> str | None:
    """How phone numbers without a country code are read (FRANKO_PHONE_REGION, default GB)."""
    return current_app.config.get("FRANKO_PHONE_REGION") if has_app_context() else None


def redact_text(text: str | None, settings: RedactionSettings) -> Redacted:
    return redact(text, settings.kinds, phone_region())


def mask_text(text: str | None, settings: RedactionSettings) -> str | None:
    """The text masked by the settings (None stays None; nothing masked when they are off)."""
    if text is None or not settings.on:
        return text
    return redact_text(text, settings).text


def mask_texts(texts: Iterable[str], settings: RedactionSettings) -> tuple[str, ...]:
    return tuple(mask_text(t, settings) or "" for t in texts)


def mask_messages(messages: Sequence[Mapping[str, Any]], settings: RedactionSettings) -> list[dict]:
    """The conversation as the LLM may read it: each interviewee message's content masked."""
    if not settings.on:
        return [dict(m) for m in messages]
    return [dict(m, content=mask_text(str(m.get("content") or ""), settings)) if m.get("role") == "user" else dict(m)
            for m in messages]


def mask_turns(turns: Sequence[tuple[str, str]], settings: RedactionSettings) -> tuple[tuple[str, str], ...]:
    """(side, text) turns (the insights' material) with every text masked."""
    return tuple((side, mask_text(text, settings) or "") for side, text in turns)


def mask_webhook_data(data: dict, instance: Any) -> dict:
    """A response.completed `data` with the transcript and the summary masked, when the instance masks its webhook."""
    settings = settings_of(instance)
    if not settings.masks("webhook"):
        return data
    transcript, summary = data.get("transcript") or {}, data.get("summary")
    masked = dict(data, transcript=dict(
        transcript, messages=[dict(m, content=mask_text(m.get("content"), settings)) for m in transcript.get("messages", [])],
        text=mask_text(transcript.get("text"), settings)))
    if summary:
        masked["summary"] = dict(summary, text=mask_text(summary.get("text"), settings),
                                 quotes=[mask_text(q, settings) for q in summary.get("quotes", [])])
    return masked
