"""Insight (§11): each response's summary, the themes across an instance's responses, per-question coverage."""
