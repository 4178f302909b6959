"""Rate limits (Flask-Limiter): what a person or a script can try how often.

Each limit is a config value (``RATELIMIT_LOGIN_ACCOUNT`` …, strings such as "40 per minute")
so a deployment can tune it; the defaults hold a class behind one NAT address. Logins count
only failed attempts, per account (the email asked for) and per address; join codes count only
codes that match no set; sign-ups, instructor password resets, traces without a login and
practice exercises count every request. A refused request answers 429 with ``Retry-After``.

Counters live in memory by default (one app server); with several servers set
``RATELIMIT_STORAGE_URI`` (e.g. ``redis://127.0.0.1:6379``) so they share them.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from exercises.errors import retry_later

DEFAULTS = {
    "RATELIMIT_LOGIN_ACCOUNT": "40 per minute",
    "RATELIMIT_LOGIN_ADDRESS": "100 per minute",
    "RATELIMIT_SIGNUP": "20 per minute",
    "RATELIMIT_PASSWORD_RESET": "20 per minute",
    "RATELIMIT_JOIN": "30 per minute",
    "RATELIMIT_TRACE": "30 per minute",
    "RATELIMIT_PRACTICE": "30 per minute",
}



def prefixed(key: str) -> str:
    """A counter key under the app's RATELIMIT_KEY_PREFIX (apps sharing a Redis keep apart)."""
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:{key}"


def address_key() -> str:
    """The caller's address (behind trusted proxies, the client's: see ``security``)."""
    return prefixed("address:" + (request.remote_addr or "unknown"))


limiter = Limiter(address_key)


def configured(name: str):
    """The limit ``name`` as the app is configured, read per request."""
    return lambda: current_app.config.get(name, DEFAULTS[name])


def account_key() -> str:
    """The account a login attempt is for: its normalized email, hashed (no email in storage)."""
    email = (request.form.get("email") or "").strip().lower()
    return prefixed("account:" + hashlib.sha256(email.encode()).hexdigest())


def failed_login(_response) -> bool:
    """Whether this request was a failed login (the view marks one)."""
    return bool(g.get("login_failed"))


def unknown_join_code(response) -> bool:
    """Whether a join request named a code of no open set."""
    return response.status_code == 404


def signed_in() -> bool:
    """Whether a page's caller has a login (its own limits are the row budget and the login's)."""
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def token_signed_in() -> bool:
    """Whether an API caller sent a token that names a user (an instructor's access token)."""
    from exercises.api import api_caller

    return not api_caller().anonymous


login_by_account = limiter.shared_limit(configured("RATELIMIT_LOGIN_ACCOUNT"), scope="login-account",
                                        key_func=account_key, deduct_when=failed_login,
                                        methods=["POST"])
login_by_address = limiter.shared_limit(configured("RATELIMIT_LOGIN_ADDRESS"), scope="login-address",
                                        deduct_when=failed_login, methods=["POST"])
signup_limit = limiter.shared_limit(configured("RATELIMIT_SIGNUP"), scope="signup",
                                    methods=["POST"])
password_reset_limit = limiter.shared_limit(configured("RATELIMIT_PASSWORD_RESET"),
                                            scope="password-reset", methods=["POST"])
join_limit = limiter.shared_limit(configured("RATELIMIT_JOIN"), scope="join",
                                  deduct_when=unknown_join_code)
trace_limit = limiter.shared_limit(configured("RATELIMIT_TRACE"), scope="trace",
                                   exempt_when=signed_in, methods=["POST"])
api_trace_limit = limiter.shared_limit(configured("RATELIMIT_TRACE"), scope="trace",
                                       exempt_when=token_signed_in)
practice_limit = limiter.shared_limit(configured("RATELIMIT_PRACTICE"), scope="practice",
                                      exempt_when=signed_in)
api_practice_limit = limiter.shared_limit(configured("RATELIMIT_PRACTICE"), scope="practice",
                                          exempt_when=token_signed_in)


def retry_after() -> int:
    """Seconds until the limit this request broke lets a request through again (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    window = current.limit.get_expiry()
    return min(window, max(1, math.ceil(current.reset_at - time.time())))


def too_many(exc: RateLimitExceeded):
    """429 with Retry-After: SPEC §8 JSON under /api/, a page elsewhere."""
    seconds = retry_after()
    message = _("Too many attempts; try again in %(seconds)d seconds.", seconds=seconds)
    return retry_later(429, _("Too many attempts"), message, seconds)


def init_app(app: Flask) -> None:
    """Attach the limiter (storage from ``RATELIMIT_STORAGE_URI``, memory by default) and the
    429 page."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "backprop-lab")
    # One limiter serves whichever app imported the views; init_app gives it this app's storage
    # and switch (config.load always sets RATELIMIT_ENABLED, so no earlier app's value leaks).
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many)
