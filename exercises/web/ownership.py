"""Which exercises this browser may see: its own practice exercises, found by a session key.

The browser keeps a random key in the signed Flask session; ``practice.create`` records it and
``practice.owns`` checks it. Someone else's exercise answers 404, exactly like an unknown id.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import abort, session
from sqlalchemy import select

from exercises import db, practice
from exercises.models import Exercise
from exercises.trace_checks import web_caller

SESSION_KEY = "browser_key"


def browser_key() -> str:
    """This browser's key, created (and kept in the session cookie) on first use."""
    key = session.get(SESSION_KEY)
    if not isinstance(key, str) or len(key) < 32:
        key = secrets.token_urlsafe(32)
        session[SESSION_KEY] = key
        session.permanent = True
    return key


def can_view(exercise: Exercise) -> bool:
    """Whether this browser may open ``exercise``: a practice exercise it created.

    Problem-set variants are the instructor side's; it extends this rule for them.
    """
    return exercise.kind == "practice" and practice.owns(exercise, browser_key=browser_key())


def exercise_or_404(exercise_id: str) -> Exercise:
    """The exercise with this id if this browser may see it; 404 otherwise."""
    exercise = db.session().get(Exercise, exercise_id)
    if exercise is None or not can_view(exercise):
        abort(404)
    return exercise


def existing_practice(knobs: dict[str, Any]) -> Exercise | None:
    """This browser's practice exercise for ``knobs`` when the same settings and seed were
    opened before (so a shared or reloaded link is the same exercise), else None. Reads only.
    Raises InvalidSettings (``domain``) for knobs that make no exercise."""
    key = session.get(SESSION_KEY)
    if "seed" in knobs and isinstance(key, str):
        if practice.is_circuit_request(knobs):
            wanted, seed, template_id = practice.circuit_template(knobs), knobs["seed"], \
                f"{practice.CIRCUIT}:{knobs['circuit']}"
        else:
            template, seed = practice.template_from_knobs(knobs)
            wanted, template_id = template.to_dict(), knobs.get("template", practice.DEFAULT_TEMPLATE)
        query = select(Exercise).where(
            Exercise.kind == "practice", Exercise.browser_key == key, Exercise.seed == seed,
            Exercise.template_id == template_id)
        for candidate in db.session().scalars(query):
            if candidate.template == wanted:
                return candidate
    return None


def practice_for(knobs: dict[str, Any]) -> Exercise:
    """This browser's practice exercise for ``knobs``: the existing one (``existing_practice``),
    else a new one. Raises (``domain``) InvalidSettings for knobs that make no exercise,
    Forbidden for a network that exam mode refuses."""
    existing = existing_practice(knobs)
    if existing is not None:
        return existing
    exercise, _token = practice.create(knobs, browser_key=browser_key(), caller=web_caller())
    return exercise
