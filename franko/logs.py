"""Logging: stderr at INFO, one line per request, every line tagged with the request's id.

One event is one line, whatever it carries: the text format escapes every control character (CR,
LF, tabs, the other C0/C1 characters, U+2028/2029) in the finished line, traceback included, so a
typed address or a request path can never start a forged line; `FRANKO_LOG_FORMAT=json` writes one
JSON object a line (python-json-logger; JSON escapes them the same way).
"""
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(request_id)s %(name)s %(message)s"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Loggers whose lines go to Franko's handler: the app's own, and the rate limiter's (its storage warnings).
LOGGERS = ("franko", "flask-limiter")
request_log = logging.getLogger("franko.requests")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
CONTROL_CHARACTERS = {
    code: _NAMED.get(chr(code), f"\\x{code:02x}")
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
}
CONTROL_CHARACTERS.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def escape(text: str) -> str:
    """`text` with every control character written as an escape: one line, however it was typed."""
    return text.translate(CONTROL_CHARACTERS)


class EscapingFormatter(logging.Formatter):
    """The standard formatter, its finished line (message, arguments, traceback) escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return escape(super().format(record))


def json_formatter() -> logging.Formatter:
    return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
                         json_ensure_ascii=True)


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


def make_formatter(log_format: str, text_format: str = FORMAT, datefmt: str | None = None) -> logging.Formatter:
    """"json": one JSON object a line; anything else: the escaped text line."""
    if (log_format or "").lower() == "json":
        return json_formatter()
    return EscapingFormatter(text_format, datefmt)


def escape_handlers(loggers, log_format: str) -> None:
    """Give the handlers of other loggers (gunicorn's) the same one-line format, keeping their text layout."""
    for logger in loggers:
        for handler in logger.handlers:
            current = handler.formatter or logging.Formatter()
            handler.setFormatter(make_formatter(log_format, current._fmt, current.datefmt))


def init_app(app: Flask) -> None:
    """The `franko` logger (app.logger and every franko.* module) goes to stderr at INFO, once per process."""
    formatter = make_formatter(app.config.get("FRANKO_LOG_FORMAT", "text"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        handler = next((h for h in logger.handlers if isinstance(h, StderrHandler)), None)
        if handler is None:
            from flask.logging import default_handler

            logger.removeHandler(default_handler)
            handler = StderrHandler()
            handler.addFilter(RequestIdFilter())
            logger.addHandler(handler)
        handler.setFormatter(formatter)
        logger.disabled = False  # a logging.config call made since (an alembic env.py) may have silenced it
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
