"""The configured OpenAI-compatible endpoint, shared by the interviewer (franko.interview) and the insight (franko.insights)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=8)
def openai_client(base_url: str | None, api_key: str | None, timeout: float):
    """One client (one connection pool) per process and endpoint, shared by every request thread."""
    from openai import OpenAI

    return OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)


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
