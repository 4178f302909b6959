"""Which responses an LMS may frame, and the session cookie that works inside its frame.

An LMS shows the tool in an iframe, so the launch pages, and the pages a launched session goes
on to (the set and its exercises for a student, the gradebook for the instructor), must allow
the platform's origin in CSP ``frame-ancestors`` and their session cookie must reach the tool
from a third-party frame: ``SameSite=None; Secure``. Only those responses do; every other page
keeps ``frame-ancestors 'none'``, ``X-Frame-Options: DENY`` and ``SameSite=Lax``
(``security.HEADERS``). The LTI endpoints themselves may be framed by every registered
platform (a refused launch has no session yet, and its page must show in the frame).
"""
from __future__ import annotations

from flask import has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from exercises import db
from exercises.lti.launch import origin
from exercises.lti.models import LtiRegistration

SESSION_ORIGIN = "lti_frame_origin"  # set at launch: the LMS origin this session is framed by
FRAMED_BLUEPRINTS = ("sets", "gradebook")


def registered_origins() -> tuple[str, ...]:
    """The origins of every registered platform (issuer and login URL)."""
    rows = db.session().execute(select(LtiRegistration.issuer, LtiRegistration.auth_login_url))
    found = {origin(url) for row in rows for url in row}
    return tuple(sorted(found - {None}))


def frame_origins() -> tuple[str, ...]:
    """The origins that may frame the current response (see the module docstring)."""
    if not has_request_context() or request.blueprint not in ("lti", *FRAMED_BLUEPRINTS):
        return ()  # without reading the session, which would add "Vary: Cookie" everywhere
    launched = session.get(SESSION_ORIGIN)
    if request.blueprint == "lti":
        return tuple(dict.fromkeys(filter(None, (launched, *registered_origins()))))
    return (launched,) if launched else ()


class FramedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with ``SameSite=None; Secure`` on framed responses."""

    def get_cookie_samesite(self, app):
        return "None" if frame_origins() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app):
        return True if frame_origins() else super().get_cookie_secure(app)
