"""Logging: one line per record, JSON when ``LOG_FORMAT=json``, each with its request's id.

Every request gets an id: a sane ``X-Request-Id`` set by a trusted reverse proxy
(``TRUSTED_PROXIES`` > 0; 1 to 128 letters, digits, ``.``, ``_``, ``-``), else a fresh random
one. It goes on every log line written while the request runs and back to the client in the
``X-Request-Id`` response header, so a complaint, a proxy's log and ours meet on one id.
Records written outside a request carry ``request_id`` null (JSON) or ``-`` (text).

gunicorn's own lines (``gunicorn.conf.py``) use the same formatters; its access lines carry the
request id from the response header (``GunicornLogger``).
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from datetime import datetime, timezone

from flask import Flask, Response, g, has_request_context, request
from gunicorn.glogging import Logger

HEADER = "X-Request-Id"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def request_id() -> str | None:
    """The current request's id (chosen once per request), or None outside a request."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        from flask import current_app

        incoming = request.headers.get(HEADER, "")
        trusted = current_app.config.get("TRUSTED_PROXIES", 0) > 0
        g.request_id = incoming if trusted and SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` (one passed in ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    the ``http`` fields of an access line, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                "level": record.levelname, "logger": record.name,
                "message": record.getMessage(),
                "request_id": getattr(record, "request_id", None)}
        if hasattr(record, "http"):
            line["http"] = record.http
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``TEXT_FORMAT``, with ``-`` for a record outside a request."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def formatter(kind: str) -> logging.Formatter:
    """The formatter for ``LOG_FORMAT`` ``kind`` (``text`` or ``json``)."""
    return JsonFormatter() if kind == "json" else TextFormatter()


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (tests swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(kind: str, level: str) -> None:
    """Send the root logger's records to stderr in ``kind`` at ``level``; replaces the handler
    an earlier call installed, and leaves other handlers alone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(handler)
    handler = _Stderr()
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)


def add_header(response: Response) -> Response:
    """The request's id in the ``X-Request-Id`` response header."""
    response.headers[HEADER] = request_id()
    return response


def init_app(app: Flask) -> None:
    """Configure logging from ``LOG_FORMAT``/``LOG_LEVEL`` and give every response its id."""
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.after_request(add_header)


class GunicornLogger(Logger):
    """gunicorn's logger whose access lines carry the request id (from the response header)
    and, for the JSON formatter, the request's fields as ``http``; its own lines use the
    ``LOG_FORMAT`` formatter too."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        kind = os.environ.get("LOG_FORMAT", "text").strip().lower()
        for handler in self.error_log.handlers + self.access_log.handlers:
            handler.setFormatter(formatter(kind))

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        http = {"method": atoms["m"], "path": atoms["U"], "query": atoms["q"],
                "status": int(atoms["s"]), "bytes": atoms["B"], "remote": atoms["h"],
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "user_agent": atoms["a"]}
        self.access_log.info('%s "%s %s" %s %s %sms', atoms["h"], atoms["m"], atoms["U"],
                             atoms["s"], atoms["B"], http["duration_ms"],
                             extra={"request_id": atoms.get("{x-request-id}o"), "http": http})
