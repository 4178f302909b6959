"""Error responses: JSON in SPEC §8's shape under /api/, styled pages elsewhere.

The services' refusals (``domain``) get their HTTP status here, in ``STATUSES``, the one place
that maps them: the API answers them as SPEC §8 JSON (``init_app``); the pages re-render a form
with them (``web.answer_errors.refusal``) or show the error page.

A page error (404, 403, 405, 409, 413, 422, 429, 500 …) is the site's own page in the reader's
language, with a title, what happened, what to do, and links back into the site; a description
given to ``abort`` (say, why a solution is refused) is shown under it.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request, send_from_directory
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from exercises import domain


class ApiError(Exception):
    """A 4xx answer with a message and, where fields are at fault, one message per field."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


# Each refusal's HTTP status (the most specific class first).
STATUSES = ((domain.Malformed, 400), (domain.Forbidden, 403), (domain.NotFound, 404),
            (domain.NoAttemptsLeft, 409), (domain.InvalidAnswers, 422),
            (domain.InvalidSettings, 422))


def status_of(error: domain.DomainError) -> int:
    """The HTTP status of a service's refusal (422 for one not in ``STATUSES``)."""
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 422)


def json_kind(value) -> str:
    """What a decoded JSON value is, in JSON's words ("an array", not "list")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    kinds = ((dict, "an object"), (list, "an array"), (str, "a string"),
             ((int, float), "a number"))
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


MAX_MESSAGE = 300  # characters; a message quoting a huge bad value says what it is, not all of it


def shorten(message: str) -> str:
    """``message`` cut to MAX_MESSAGE characters, marked with an ellipsis where it was cut."""
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…"


def error_body(message: str, fields: dict[str, str] | None = None) -> dict:
    """SPEC §8's error shape, each message shortened (see ``shorten``)."""
    return {"error": shorten(message),
            "fields": {key: shorten(text) for key, text in (fields or {}).items()}}


def retry_later(status: int, title: str, message: str, seconds: int) -> Response:
    """A ``status`` answer that asks the caller to come back in ``seconds`` (429, 503): SPEC
    §8's JSON under /api/, the error page elsewhere, with Retry-After."""
    if request.path.startswith("/api/"):
        response = jsonify(error_body(message))
    else:
        response = current_app.response_class(
            render_template("error.html", title=title, message=message, status=status),
            mimetype="text/html")
    response.status_code = status
    response.headers["Retry-After"] = str(seconds)
    return response


def http_message(exc: HTTPException) -> str:
    """What an HTTP error means for this request, naming the method or path at fault."""
    if exc.code == 413:
        return "request body is larger than the 2 MB limit"
    if isinstance(exc, MethodNotAllowed):
        allowed = ", ".join(sorted(set(exc.valid_methods or ()) - {"HEAD", "OPTIONS"}))
        return f"{request.method} is not allowed on {request.path}; use {allowed}"
    if isinstance(exc, NotFound) and request.url_rule is None:
        return f"no such route or id: {request.method} {request.path}"
    return exc.description or exc.name


# Each status's title and what it means for a person, in the reader's language.
PAGES = {
    400: (_l("Bad request"), _l("The request could not be read. Go back and try again.")),
    403: (_l("Not allowed"), _l("You may not open this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. The link may be mistyped, "
                                   "or the page belongs to someone else.")),
    405: (_l("Not allowed here"), _l("This page cannot be used this way. Go back and use its "
                                     "buttons and links.")),
    409: (_l("Not possible now"), _l("This cannot be done now: for an exercise, every attempt has "
                                     "been used.")),
    413: (_l("Too large"), _l("What was sent is larger than the 2 MB limit.")),
    422: (_l("Could not be read"), _l("Some of what was sent could not be read. Go back, correct "
                                      "it and send it again.")),
    429: (_l("Too many attempts"), _l("Too many requests in a short time. Wait a minute and try "
                                      "again.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side; nothing you did caused "
                                         "it. Your answers that were saved are still there. Try "
                                         "again in a moment.")),
}
EXERCISE_404 = _l("This exercise does not exist, or it belongs to another browser or account. "
                  "A practice exercise opens in the browser that started it; its share link "
                  "starts the same exercise anywhere.")


def error_page(status: int, detail: str | None = None) -> Response:
    """The styled error page for ``status`` in the reader's language, with ``detail`` (a
    specific reason) under the general explanation."""
    title, message = PAGES.get(status, PAGES[500] if status >= 500 else PAGES[400])
    if status == 404 and request.path.startswith(("/exercises/", "/sets/")):
        message = EXERCISE_404
    response = current_app.response_class(
        render_template("error.html", title=str(title), message=str(message), detail=detail,
                        status=status), mimetype="text/html")
    response.status_code = status
    return response


def _detail(exc: HTTPException) -> str | None:
    """A description given to ``abort`` for this case, or None for Werkzeug's stock text."""
    description = exc.description
    return None if not description or description == type(exc).description else str(description)


def init_app(app: Flask) -> None:
    """Register the handlers that turn errors into SPEC §8 JSON for API routes."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error_body(exc.message, exc.fields)), exc.status

    @app.errorhandler(domain.DomainError)
    def _domain_error(exc: domain.DomainError):
        if request.path.startswith("/api/"):
            return jsonify(error_body(exc.message, exc.fields)), status_of(exc)
        from exercises.web.answer_errors import notice  # the pages' words for it (web imports this module)
        return error_page(status_of(exc), notice(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error_body(http_message(exc))), exc.code
        if exc.code is None or exc.code < 400:   # a routing redirect, not an error
            return exc
        response = error_page(exc.code, _detail(exc) if exc.code != 500 else None)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.get("/favicon.ico")
    def _favicon():
        return send_from_directory(app.static_folder, "favicon.ico", mimetype="image/x-icon",
                                   max_age=7 * 24 * 3600)
