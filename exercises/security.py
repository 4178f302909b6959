"""App-wide security: CSRF on every form (Flask-WTF), login sessions (Flask-Login) and the
shape of ids in URLs.

A login session ends: its cookie carries the account's session version, which logout, a
password change and a reset bump (a saved cookie then logs nobody in), and the moment of login,
after which it lasts ``PERMANENT_SESSION_LIFETIME`` (12 hours by default) however active it is.

The JSON API authenticates with bearer tokens and never reads cookies, so it is exempt from
CSRF; every HTML form carries a token. Ids in URLs (``<id:set_id>``) are the random URL-safe
strings of ``models.new_id``; anything else is no id of ours and answers 404 before a view or
the database sees it. No text a person types may hold a NUL byte: PostgreSQL refuses one in
any text value, and no field of ours has a use for it, so such a request answers 400 at once.

Every response carries headers that keep the browser conservative (``HEADERS``): no MIME
sniffing, no framing, referrers only within the site, and a Content-Security-Policy that allows
only this site's own scripts, styles and forms. The pages need nothing else: diagrams are
inline SVG, formulas server-rendered MathML, scripts same-origin files. Style attributes are
allowed (``style-src-attr``): diagrams and statistics bars size themselves with them, and a
style attribute cannot run code. The one exception to "no framing": pages an LMS shows in its
iframe (``exercises.lti.framing``) name its origin in ``frame-ancestors`` instead.

Pages that can show an answer (solutions, the trace tool's results, every instructor page,
students' set pages, the API) also say ``Cache-Control: no-store``, so no shared or browser
cache keeps one. Behind HTTPS (``SESSION_COOKIE_SECURE=1``) every response carries HSTS.
Behind ``TRUSTED_PROXIES`` reverse proxies, the client's address and scheme come from their
X-Forwarded-* headers (werkzeug's ProxyFix); with none (the default) those headers are ignored,
so a client cannot choose the address its rate limits count.
"""
from __future__ import annotations

import time

from flask import Flask, Response, abort, current_app, request, session
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from exercises import db
from exercises.models import User

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"


class IdConverter(BaseConverter):
    """A URL part that can be a row id: 1 to 32 URL-safe characters (the ``ID`` column)."""

    regex = r"[A-Za-z0-9_-]{1,32}"


SESSION_VERSION = "session_version"
LOGGED_IN_AT = "logged_in_at"


def start_session(user: User) -> None:
    """Mark the session as ``user``'s from now (after ``flask_login.login_user``)."""
    session[SESSION_VERSION] = user.session_version
    session[LOGGED_IN_AT] = int(time.time())
    session.permanent = True


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The logged-in user for a session, or None when the account is gone, the session is
    older than its lifetime, or the account's sessions were ended since (see the module
    docstring); such a session is cleared."""
    user = db.session().get(User, user_id)
    started = session.get(LOGGED_IN_AT)
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if (user is None or session.get(SESSION_VERSION) != user.session_version
            or not isinstance(started, int) or time.time() - started > lifetime):
        session.clear()
        return None
    return user


def content_security_policy(frame_ancestors: str = "'none'", form_action: str = "'self'") -> str:
    """The site's Content-Security-Policy, with the given ``frame-ancestors`` and
    ``form-action`` sources (an LMS frame and its deep-linking return: ``exercises.lti``)."""
    return "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'",
        "style-src-attr 'unsafe-inline'", "img-src 'self'", "object-src 'none'",
        "base-uri 'none'", f"form-action {form_action}", f"frame-ancestors {frame_ancestors}"))


CONTENT_SECURITY_POLICY = content_security_policy()
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY,
           "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}
FRAME_ORIGINS = "frame_origins"  # app.extensions: () -> origins that may frame this response


def frame_origins() -> tuple[str, ...]:
    """The origins besides this site's that may frame the current response: none, unless an
    extension (``exercises.lti``: an LMS's launch pages) says otherwise."""
    resolver = current_app.extensions.get(FRAME_ORIGINS)
    return tuple(resolver()) if resolver is not None else ()


ANSWER_ENDPOINTS = {"exercise.solution", "exercise.trace_csv", "trace_tool.trace_page",
                    "exercise.show", "exercise.submit",   # the coaching ladder shows values
                    "trace_tool.trace_download"}
PRIVATE_PREFIXES = ("/instructor/", "/sets/", "/api/", "/account/")
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    """Add ``HEADERS`` to a response (a view that sets one of them keeps its own; a response
    an LMS may frame names its origins in ``frame-ancestors`` instead of denying framing),
    no-store where an answer may show and HSTS behind HTTPS (see the module docstring)."""
    headers = HEADERS
    origins = frame_origins()
    if origins:  # framed by those origins only; X-Frame-Options cannot name one
        headers = {**HEADERS, "Content-Security-Policy": content_security_policy(
            " ".join(("'self'", *origins)))}
        del headers["X-Frame-Options"]
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    if request.endpoint in ANSWER_ENDPOINTS or request.path.startswith(PRIVATE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def refuse_nul_bytes() -> None:
    """400 naming the query argument or form field that holds a NUL byte (see the module
    docstring). JSON bodies reach text columns only through validation that refuses one."""
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if "\0" in key or "\0" in value:
                name = key.replace("\0", "\\0")
                abort(400, description=f"{name}: contains a NUL character (\\0), which no field "
                                       "accepts")


def init_app(app: Flask) -> None:
    """Install CSRF protection, the login manager, the ``id`` URL converter, the NUL check and
    the security headers; exempt the bearer-token API from CSRF. Runs before any blueprint is
    registered (their rules use the converter)."""
    from exercises import api

    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    csrf.init_app(app)
    csrf.exempt(api.bp)
    login_manager.init_app(app)
