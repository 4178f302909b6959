"""The coaching ladder: per field, before the solution, three rungs of help.

1. the field's formula in symbols (the trace's ``formula``);
2. the formula with this exercise's numbers put in, short of the last step (the trace's
   ``substituted``), where every number that is the value of an asked field (that field's
   own, and δ inside ∂L/∂b or an update) stays a symbol, so rung 2 never shows an asked
   value (SPEC §7);
3. the value, rounded to the answer digits: a reveal. A field whose value was shown earns no
   credit in any later attempt, regrades included (``exercises.coaching``), as a teacher who
   told a student the answer would not count it; the field says so.

Every rung used is recorded (``LadderStep``, with the student when there is one). Practice
exercises offer all three rungs; a problem set offers as many as its instructor allows
(``ProblemSet.coaching``: 0 to 3; unset, 2, or 0 in exam mode).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import tracer
from exercises import db
from exercises.coaching import VALUE_RUNG
from exercises.models import Exercise, LadderStep, ProblemSet
from exercises.trace_checks import trace_allowed, web_caller
from exercises.web.mathml import equation, math
from tracer.keys import parse_key
from tracer.latex import num
from tracer.naming import Names

TOP = VALUE_RUNG   # the value: the rung whose field then earns no credit
SET_DEFAULT, EXAM_DEFAULT = 2, 0
_NUMBER = re.compile(r"(-?)(\d+(?:\.\d+)?(?: \\times 10\^\{-?\d+\})?)")


def allowed(exercise: Exercise) -> int:
    """The highest rung this exercise offers (0: no coaching). A practice exercise offers none
    while exam mode keeps its solution from this viewer (rungs 2 and 3 show its values)."""
    if tracer.is_circuit(exercise.spec):   # circuits have their own walkthrough, no ladder yet
        return 0
    if exercise.problem_set_id is None:
        return 0 if trace_allowed(exercise.spec, web_caller()) else TOP
    problem_set = db.session().get(ProblemSet, exercise.problem_set_id)
    if problem_set.coaching is not None:
        return problem_set.coaching
    return EXAM_DEFAULT if problem_set.exam_mode else SET_DEFAULT


def used(exercise_id: str) -> dict[str, int]:
    """The highest rung used per field key."""
    rows = db.session().execute(select(LadderStep.key, func.max(LadderStep.rung))
                                .where(LadderStep.exercise_id == exercise_id)
                                .group_by(LadderStep.key))
    return {key: rung for key, rung in rows}


def climb(exercise: Exercise, key: str, user_id: str | None) -> int | None:
    """Record the next rung of ``key`` and return it; None when the field is not asked or no
    rung is left. Recording it twice at once keeps one row."""
    if key not in {f["key"] for f in exercise.fields}:
        return None
    rung = used(exercise.id).get(key, 0) + 1
    if rung > allowed(exercise):
        return None
    try:
        with db.write_transaction() as sess:
            sess.add(LadderStep(exercise_id=exercise.id, key=key, rung=rung, user_id=user_id))
    except IntegrityError:
        pass
    return rung


@dataclass
class Rungs:
    """What one field's ladder shows: the rungs used so far and whether another is offered."""

    shown: list[tuple[int, Markup]]
    next_rung: int | None
    revealed: bool


def _masked(substituted: str, secret: dict[str, str]) -> str:
    """``substituted`` with every number that is an asked value replaced by its symbol (the
    number's sign kept when only its magnitude matches)."""
    def swap(match: re.Match) -> str:
        sign, digits = match.groups()
        if sign + digits in secret:
            return secret[sign + digits]
        if digits in secret:
            return f"{sign}{secret[digits]}"
        if "-" + digits in secret:
            return f"{'' if sign else '-'}{secret['-' + digits]}"
        return match.group(0)
    return _NUMBER.sub(swap, substituted)


def field_rungs(exercise: Exercise, spec: dict, digits: int) -> dict[str, Rungs]:
    """Every asked field's ladder, built from the engine's trace of ``spec``; the trace is
    computed only when some rung has been used."""
    highest, top = used(exercise.id), allowed(exercise)
    keys = [f["key"] for f in exercise.fields]
    result = {key: Rungs([], 1 if top >= 1 else None, False) for key in keys}
    if not highest or tracer.is_circuit(spec):
        return result
    names = Names(spec["layers"], spec["naming"])
    rows = {(r["quantity"], r["layer"], r["unit"], r["source"]): r
            for r in tracer.trace(spec).rows() if r["iteration"] == 1 and r["sample"] in (None, 1)}
    symbol = {key: names.latex(*parse_key(key)) for key in keys}
    value = {key: rows[parse_key(key)]["value"] for key in keys}
    secret = {num(value[key]): symbol[key] for key in keys if highest.get(key, 0) < TOP}
    for key, rung in highest.items():
        if key not in result:
            continue
        row = rows[parse_key(key)]
        shown = [(1, equation(symbol[key], row["formula"]))]
        if rung >= 2:
            shown.append((2, equation(symbol[key], _masked(row["substituted"], secret))))
        if rung >= 3:
            shown.append((3, math(f"{symbol[key]} \\approx {{{rounded(value[key], digits)}}}")))
        result[key] = Rungs(shown, rung + 1 if rung < top else None, rung >= TOP)
    return result


def rounded(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant figures, as LaTeX."""
    mantissa, _e, exponent = f"{value:.{digits}g}".partition("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}" if exponent else mantissa


def hints_by_student(set_id: str) -> dict[str, tuple[int, int]]:
    """Per student of a set: the rungs used on all their variants, and how many were values
    (rung 3), for the gradebook."""
    rows = db.session().execute(
        select(Exercise.user_id, func.count(), func.count().filter(LadderStep.rung == TOP))
        .join(LadderStep, LadderStep.exercise_id == Exercise.id)
        .where(Exercise.problem_set_id == set_id).group_by(Exercise.user_id))
    return {user_id: (used_count, values) for user_id, used_count, values in rows}
