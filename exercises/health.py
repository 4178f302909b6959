"""Liveness: ``GET /healthz`` answers 200 ``{"status": "ok"}`` when the database answers and
503 ``{"status": "unavailable"}`` otherwise, naming nothing about why (no exception class, no
driver message: a load balancer needs only the answer, and an attacker learns nothing).

Any request that finds the database unreachable answers 503 as well (``unavailable``), JSON
under /api/ and a page elsewhere, with Retry-After, instead of a 500.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from exercises import db
from exercises.errors import retry_later

bp = Blueprint("health", __name__)
RETRY_SECONDS = 30


@bp.get("/healthz")
def healthz():
    """Ping the database with a trivial query."""
    try:
        # The one query in a view, on purpose: reaching the database IS this endpoint's answer
        # (tests/test_layers.py allows exactly this function).
        db.session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session().rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


def unavailable(exc: SQLAlchemyError):
    """503 for a request whose database did not answer (see the module docstring)."""
    current_app.logger.error("database unavailable: %s", exc)
    try:
        db.session().rollback()
    except SQLAlchemyError:
        pass
    message = _("The service cannot reach its database right now; please try again in a "
                "minute.")
    return retry_later(503, _("Temporarily unavailable"), message, RETRY_SECONDS)


def init_app(app: Flask) -> None:
    """Register /healthz and the 503 answer for an unreachable database."""
    app.register_blueprint(bp)
    for kind in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(kind, unavailable)
