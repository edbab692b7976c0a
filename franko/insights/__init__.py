"""Insight (§11): each response's summary, the themes across an instance's responses, per-question coverage."""
from flask import Flask

from franko.jobs import register_module


def init_app(app: Flask) -> None:
    """Register its jobs and its commands on `app`."""
    # Imported here, not above: importing franko.insights' helpers must not load its jobs and commands.
    from franko.insights import cli, jobs  # noqa: F401 — cli adds its commands to `flask franko`

    register_module(app, jobs)
