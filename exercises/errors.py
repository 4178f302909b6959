"""Error responses: JSON in SPEC §8's shape under /api/, plain pages elsewhere."""
from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound


class ApiError(Exception):
    """A 4xx answer with a message and, where fields are at fault, one message per field."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


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
            render_template("error.html", title=title, message=message), mimetype="text/html")
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


def init_app(app: Flask) -> None:
    """Register the handlers that turn errors into SPEC §8 JSON for API routes."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error_body(exc.message, exc.fields)), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error_body(http_message(exc))), exc.code
        return exc
