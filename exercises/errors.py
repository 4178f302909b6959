"""Error responses: JSON in SPEC §8's shape under /api/, plain pages elsewhere."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


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


def error_body(message: str, fields: dict[str, str] | None = None) -> dict:
    """SPEC §8's error shape."""
    return {"error": message, "fields": fields or {}}


def init_app(app: Flask) -> None:
    """Register the handlers that turn errors into SPEC §8 JSON for API routes."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error_body(exc.message, exc.fields)), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            message = exc.description or exc.name
            if exc.code == 413:
                message = "request body is larger than the 2 MB limit"
            return jsonify(error_body(message)), exc.code
        return exc
