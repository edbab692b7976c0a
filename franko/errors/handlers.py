"""One handler for every HTTP error, rendering templates/errors/error.html."""
from flask import render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from franko.errors import bp
from franko.extensions import db

MESSAGES = {
    400: "The request could not be understood.",
    403: "You don't have access to this page.",
    404: "We couldn't find that page.",
    405: "That action isn't allowed here.",
    413: "That was too large to accept.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged.",
}


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.code == 500 or isinstance(error, InternalServerError):
        db.session.rollback()
    code = error.code or 500
    message = MESSAGES.get(code, error.description)
    if request.accept_mimetypes.best == "application/json":
        return {"error": message, "status": code}, code
    return render_template("errors/error.html", code=code, title=error.name, message=message), code
