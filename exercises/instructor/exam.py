"""Exam mode: while an exam is open, no answer of it is a paste away.

Three refusals, asked by every place that traces (``trace_checks``):
- a student of an open exam gets no trace, trace API or practice solution at all;
- unless the instructor turned it off for the set ("lock the trace tool during this exam"),
  nobody without a login does either, and the message says when tracing reopens;
- nobody may trace a network that is one of the open exams' variants in disguise
  (``exam_match``: rounding to the shown decimals, any sample of a batch, any order of units,
  units whose weights are all zero).

Variants never change once generated, so each process keeps the canonical form of an open
exam's variants, refreshed when the set's pool grows (a top-up).
"""
from __future__ import annotations

import threading
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

import tracer
from exercises import db
from exercises.instructor import policy
from exercises.instructor.exam_match import Canonical, Tolerances, decimals_of, matches
from exercises.models import Enrollment, Exercise, ProblemSet
from exercises.trace_checks import ANONYMOUS, Caller

_cache: dict[str, tuple[int, list[tuple[Canonical, Tolerances]]]] = {}
_cache_lock = threading.Lock()
CACHE_SETS = 256  # open exams whose variants a process keeps


def refusal_message() -> str:
    """What a caller is told when a network is an open exam's."""
    return _("This network belongs to an exam that is still open, so it cannot be traced or "
             "solved here until the exam closes.")


def open_exams() -> list[ProblemSet]:
    """Every exam-mode set that is open now."""
    candidates = db.session().scalars(select(ProblemSet).where(
        ProblemSet.exam_mode.is_(True), ProblemSet.status == "published"))
    return [problem_set for problem_set in candidates if policy.exam_open(problem_set)]


def _variants(set_id: str, count: int) -> list[tuple[Canonical, Tolerances]]:
    with _cache_lock:
        cached = _cache.get(set_id)
    if cached is not None and cached[0] == count:
        return cached[1]
    made = []
    for spec, template in db.session().execute(
            select(Exercise.spec, Exercise.template).where(Exercise.problem_set_id == set_id)):
        try:
            canonical = Canonical.from_spec(tracer.normalize(spec))
        except (tracer.SpecError, TypeError, ValueError):
            continue
        made.append((canonical, Tolerances.of(decimals_of(template), canonical)))
    with _cache_lock:
        if len(_cache) >= CACHE_SETS:
            _cache.clear()
        _cache[set_id] = (count, made)
    return made


def variant_refusal(spec: dict, exams: list[ProblemSet] | None = None) -> str | None:
    """A refusal when ``spec`` is a variant of an open exam up to what the answers don't see,
    else None. A spec the engine rejects is not refused here: the caller's validation says why."""
    if not isinstance(spec, dict) or tracer.is_circuit(spec):
        return None  # exams hold networks: a circuit is never one of their variants
    try:
        canonical = Canonical.from_spec(tracer.normalize(spec))
    except (tracer.SpecError, TypeError, ValueError):
        return None
    exams = open_exams() if exams is None else exams
    if not exams:
        return None
    counts = dict(db.session().execute(
        select(Exercise.problem_set_id, func.count()).where(
            Exercise.problem_set_id.in_([exam.id for exam in exams]))
        .group_by(Exercise.problem_set_id)).all())
    for exam in exams:
        for variant, tolerances in _variants(exam.id, counts.get(exam.id, 0)):
            if matches(canonical, variant, tolerances):
                return refusal_message()
    return None


def reopening(exams: list[ProblemSet]) -> datetime | None:
    """When the last of ``exams`` closes (None: one has no due date, so no time is known)."""
    closing = [policy.latest_due(exam) for exam in exams]
    return None if any(due is None for due in closing) else max(closing)


def caller_refusal(caller: Caller, exams: list[ProblemSet] | None = None) -> str | None:
    """A refusal for who asks, whatever the network: a student of an open exam, or anyone
    without a login while an open exam locks the trace tool. None otherwise."""
    exams = open_exams() if exams is None else exams
    if not exams:
        return None
    if caller.anonymous:
        locking = [exam for exam in exams if exam.lock_trace_tool]
        if not locking:
            return None
        until = reopening(locking)
        if until is None:
            return _("While an exam is open, the trace tool, the trace API and practice "
                     "solutions need a login; they reopen to everyone when the exam closes.")
        return _("While an exam is open, the trace tool, the trace API and practice solutions "
                 "need a login; they reopen to everyone at %(time)s.", time=policy.shown(until))
    if caller.role == "student":
        taking = db.session().scalars(select(Enrollment.problem_set_id).where(
            Enrollment.user_id == caller.user_id,
            Enrollment.problem_set_id.in_([exam.id for exam in exams]))).all()
        if taking:
            until = reopening([exam for exam in exams if exam.id in set(taking)])
            if until is None:
                return _("You are taking an exam that is still open: tracing and practice "
                         "solutions come back when it closes.")
            return _("You are taking an exam that is still open: tracing and practice "
                     "solutions come back at %(time)s.", time=policy.shown(until))
    return None


def exam_refusal(spec: dict | None, caller: Caller | None = ANONYMOUS) -> str | None:
    """The trace check of exam mode (see the module docstring): who asks first (unless the
    caller is None: only the network matters), then what."""
    exams = open_exams()
    if not exams:
        return None
    return (caller_refusal(caller, exams) if caller is not None else None) or (
        variant_refusal(spec, exams) if spec is not None else None)
