"""What every input gets before a view sees it: no NUL, valid UTF-8, numbers within range (else 400)."""
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request

# PostgreSQL's integer: a page number or amount beyond it could never name anything.
MAX_INT = 2**31 - 1
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def init_app(app: Flask) -> None:
    app.before_request(reject_bad_bytes)


def _bad_text(raw: bytes) -> bool:
    """Whether URL-encoded `raw` (a query string or a form body) holds a NUL or bytes that are not UTF-8."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in decoded:
        return True
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def reject_bad_bytes() -> None:
    """400 for a NUL byte or invalid UTF-8 in the path, the query string or a form (PostgreSQL refuses NUL)."""
    if "\x00" in request.path or "\ufffd" in request.path or _bad_text(request.query_string):
        abort(400)
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype not in FORM_TYPES:
        if request.is_json:
            text = request.get_data(cache=True)
            if b"\x00" in text or b"\\u0000" in text:
                abort(400)
        return
    if request.mimetype == FORM_TYPES[0]:
        if _bad_text(request.get_data(cache=True)):
            abort(400)
        return
    # multipart: Werkzeug has decoded each value, invalid bytes becoming U+FFFD.
    for value in request.form.values():
        if "\x00" in value or "\ufffd" in value:
            abort(400)


def bounded_int(value: str) -> int:
    """A whole number for `request.args.get(..., type=bounded_int)`: 400 beyond the database's integer.

    Anything that is not a number raises ValueError, so `get` falls back to its default as usual.
    """
    number = int(value)
    if not -MAX_INT <= number <= MAX_INT:
        abort(400)
    return number
