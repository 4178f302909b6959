"""Checks that may refuse to trace a network (exam mode), asked by every place that traces:
the JSON API, the trace tool and practice solutions. The instructor side registers its check
and the way a bearer token names its user; this module sits below both so neither layer
reaches into the other.

A check sees the spec and the ``Caller``: who asks (anonymous, or a signed-in user with a
role). The pages take the caller from the login session; the JSON API, which reads no cookies,
from a personal access token when one is sent.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

CHECKS = "backprop_trace_checks"
RESOLVERS = "backprop_bearer_resolvers"


@dataclass(frozen=True)
class Caller:
    """Who asks for a trace: a user's id and role, or nobody (anonymous)."""

    user_id: str | None = None
    role: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.user_id is None


ANONYMOUS = Caller()


def register_trace_check(app: Flask,
                         check: Callable[[dict | None, Caller | None], str | None]) -> None:
    """Add a check that may refuse a trace: ``check(spec, caller)`` returns a refusal message
    or None. ``spec`` is None when the caller asks for no particular network (a check about
    the caller alone); ``caller`` is None when only the network matters (see
    ``trace_allowed``)."""
    app.extensions.setdefault(CHECKS, []).append(check)


def register_bearer_resolver(app: Flask, resolve: Callable[[str], Caller | None]) -> None:
    """Add a way to tell who a bearer token belongs to (the instructor side's access tokens)."""
    app.extensions.setdefault(RESOLVERS, []).append(resolve)


def trace_allowed(spec: dict | None, caller: Caller | None) -> str | None:
    """Why ``caller`` may not trace ``spec`` now (e.g. during an exam), or None. With caller
    None only the network is judged: a practice exercise on a given network grades answers
    but shows no trace, so only an exam's own networks are kept from it."""
    for check in current_app.extensions.get(CHECKS, []):
        refusal = check(spec, caller)
        if refusal:
            return refusal
    return None


def web_caller() -> Caller:
    """The caller of a page: the logged-in user, or anonymous."""
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return Caller(current_user.id, current_user.role)
    return ANONYMOUS


def bearer_caller(token: str | None) -> Caller:
    """The caller of an API request: the user a bearer token names, or anonymous (a practice
    exercise's token names nobody)."""
    if token:
        for resolve in current_app.extensions.get(RESOLVERS, []):
            caller = resolve(token)
            if caller is not None:
                return caller
    return ANONYMOUS
