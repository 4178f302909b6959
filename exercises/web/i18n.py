"""Interface language: English or Korean (the seed post's language), chosen per request.

The choice comes from ``?lang=`` (the switcher's links), then the ``lang`` cookie the switcher
left, then the browser's Accept-Language. Symbols and numbers are never translated.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import Babel, get_locale

LANGUAGES = (("en", "English"), ("ko", "한국어"))
CODES = tuple(code for code, _name in LANGUAGES)
DEFAULT = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """The language of this request: ?lang=, else the cookie, else Accept-Language (English
    outside a request: a command, a background job)."""
    if not has_request_context():
        return DEFAULT
    requested = request.args.get("lang")
    if requested in CODES:
        return requested
    remembered = request.cookies.get(COOKIE)
    if remembered in CODES:
        return remembered
    return request.accept_languages.best_match(CODES) or DEFAULT


def remember_language(response: Response) -> Response:
    """Keep a language picked with ?lang= in a cookie, so later pages follow it."""
    requested = request.args.get("lang")
    if requested in CODES and request.cookies.get(COOKIE) != requested:
        response.set_cookie(COOKIE, requested, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def url_with_lang(code: str) -> str:
    """The current page's URL with ``lang`` set to ``code`` (the switcher's links)."""
    args = {key: values for key, values in request.args.lists() if key != "lang"}
    args["lang"] = [code]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def has_endpoint(name: str) -> bool:
    """Whether a view is registered under ``name`` (links to optional parts of the app)."""
    return name in current_app.view_functions


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the locale selector and the template helpers of base.html."""
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_language)
    app.jinja_env.globals.update(languages=LANGUAGES, url_with_lang=url_with_lang,
                                 has_endpoint=has_endpoint)

    @app.context_processor
    def _locale():
        return {"current_locale": str(get_locale() or DEFAULT)}
