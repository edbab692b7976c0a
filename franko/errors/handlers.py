"""One handler for every HTTP error, rendering templates/errors/error.html; a lost database is a 503; NotFound a 404."""
import logging

import sqlalchemy as sa
from flask import g, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.exceptions import NotFound as HTTPNotFound

from franko.errors import bp
from franko.exceptions import NotFound
from franko.extensions import db, login_manager

log = logging.getLogger("franko.errors")
RETRY_AFTER_SECONDS = 10  # a database restart takes seconds; the pool reconnects on its own (pool_pre_ping)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You don't have access to this page.",
    404: "We couldn't find that page.",
    405: "That action isn't allowed here.",
    413: "That was too large to accept.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged.",
    503: "Franko is briefly unavailable. Please try again in a few seconds.",
}


def error_page(code: int, title: str, message: str):
    if request.accept_mimetypes.best == "application/json":
        return {"error": message, "status": code}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.code == 500 or isinstance(error, InternalServerError):
        db.session.rollback()
    code = error.code or 500
    return error_page(code, error.name, MESSAGES.get(code, error.description))


@bp.app_errorhandler(NotFound)
def not_found(error: NotFound):
    """A service's NotFound or NotOwned (another owner's looks missing): the 404 page."""
    return http_error(HTTPNotFound())


def is_connection_error(error: Exception) -> bool:
    """The database cannot be reached (down, restarting, pool exhausted), as opposed to a bug in a query."""
    if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True
    return isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated


@bp.app_errorhandler(sa.exc.DBAPIError)
@bp.app_errorhandler(sa.exc.TimeoutError)
def database_error(error: sa.exc.SQLAlchemyError):
    """The database is unreachable: a 503 page with Retry-After (never a 500); any other SQL error goes on (a 500)."""
    if not is_connection_error(error):
        raise error
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.remove()  # the connection is gone: the pool invalidates it and opens a new one later
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig or error)
    g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is logged in
    response = make_response(error_page(503, "Service Unavailable", MESSAGES[503]))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
