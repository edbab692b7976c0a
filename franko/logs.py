"""Logging: stderr at INFO, one line per request, every line tagged with the request's id."""
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
request_log = logging.getLogger("franko.requests")


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (gunicorn, a test's capture), never a stale one."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def init_app(app: Flask) -> None:
    """The `franko` logger (app.logger and every franko.* module) goes to stderr at INFO, once per process."""
    logger = logging.getLogger("franko")
    if not any(isinstance(h, StderrHandler) for h in logger.handlers):
        from flask.logging import default_handler

        logger.removeHandler(default_handler)
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    app.before_request(start_request)
    app.after_request(log_request)


def start_request() -> None:
    """The proxy's X-Request-ID when it sent a sane one, else a new id."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def log_request(response):
    """One line per request; a path holding a token is logged as its route, so no secret reaches the log."""
    path = request.path
    if request.url_rule is not None and "token" in (request.view_args or {}):
        path = request.url_rule.rule
    elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    request_log.info("%s %s %s %.0fms %s", request.method, path, response.status_code, elapsed,
                     request.remote_addr or "-")
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response
