"""Checks that may refuse to trace a network (exam mode), asked by every place that traces:
the JSON API, the trace tool and practice solutions. The instructor side registers its check;
this module sits below both so neither layer reaches into the other.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

CHECKS = "backprop_trace_checks"


def register_trace_check(app: Flask, check: Callable[[dict], str | None]) -> None:
    """Add a check that may refuse a trace: ``check(spec)`` returns a refusal message or None."""
    app.extensions.setdefault(CHECKS, []).append(check)


def trace_allowed(spec: dict) -> str | None:
    """Why the current user may not trace ``spec`` now (e.g. during an exam), or None."""
    for check in current_app.extensions.get(CHECKS, []):
        refusal = check(spec)
        if refusal:
            return refusal
    return None
