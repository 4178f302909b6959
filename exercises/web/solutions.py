"""When the worked solution of an exercise may be shown, revealing it, and reading its trace.

A practice exercise's solution is always available; opening it is recorded (``revealed``), as
SPEC §8 asks of the API's solution route. Problem-set variants follow their set's policy,
which the instructor side decides through ``solution_allowed``.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

import tracer
from exercises import db, storage
from exercises.models import Exercise, StoredTrace
from exercises.trace_checks import trace_allowed, web_caller
from exercises.web import stored_feedback as feedback
from exercises.web.walkthrough import Walkthrough, build


def solution_allowed(exercise: Exercise) -> bool:
    """Whether this exercise's worked solution may be shown to the student viewing it: a
    practice exercise, unless exam mode refuses it (see ``solution_refusal``)."""
    return exercise.kind == "practice" and solution_refusal(exercise) is None


def solution_refusal(exercise: Exercise) -> str | None:
    """Why exam mode keeps this exercise's solution from the viewer now, or None: its network
    is an open exam's, the viewer takes an open exam, or nobody without a login may see one."""
    return trace_allowed(exercise.spec, web_caller())


def reveal(exercise: Exercise) -> None:
    """Record that the solution was shown (one transaction)."""
    with db.write_transaction() as sess:
        sess.get(Exercise, exercise.id).revealed = True
    exercise.revealed = True


def trace_rows(exercise: Exercise) -> Iterator[dict]:
    """The exercise's stored trace as SPEC §4 rows, in step order."""
    sess = db.session()
    stored = sess.scalar(select(StoredTrace).where(StoredTrace.exercise_id == exercise.id))
    if stored is None:
        raise LookupError(f"exercise {exercise.id} has no stored trace")
    return storage.stored_rows(sess, stored)


def with_bom(lines: Iterator[str]) -> Iterator[str]:
    """CSV lines preceded by a UTF-8 byte-order mark (U+FEFF), which Excel needs to read the
    file as UTF-8 rather than the system's code page."""
    yield "\ufeff"
    yield from lines


def walkthrough_of(exercise: Exercise) -> tuple[dict, Walkthrough | None]:
    """The exercise's normalized spec and, once revealed, its walkthrough with the student's
    latest answers beside the true values (None before the reveal)."""
    spec = tracer.normalize(exercise.spec)
    if not exercise.revealed:
        return spec, None
    attempt = feedback.latest_attempt(exercise)
    return spec, build(spec, trace_rows(exercise), asked=[f["key"] for f in exercise.fields],
                       answers=attempt.fields if attempt else {})
