"""Exam mode: the networks of an open exam cannot be traced anywhere, so no answer is a paste
away. Every variant's network fingerprint (``variants.network_hash``) is stored when it is
generated; ``exam_refusal`` compares a spec's fingerprint with those of open exams.
"""
from __future__ import annotations

from sqlalchemy import select

import tracer

from .. import db
from ..models import Exercise, ProblemSet
from . import policy
from .variants import network_hash

REFUSAL = ("This network belongs to an exam that is still open, so it cannot be traced or "
           "solved here until the exam closes.")


def exam_refusal(spec: dict) -> str | None:
    """A refusal message when ``spec``'s weights, biases and inputs are those of a variant of
    an open exam, else None. A spec the engine rejects is not refused here: the caller's own
    validation reports it."""
    if not isinstance(spec, dict):
        return None
    try:
        normalized = tracer.normalize(spec)
    except (tracer.SpecError, TypeError, ValueError):
        return None
    fingerprint = network_hash(normalized)
    holding = select(Exercise.problem_set_id).where(Exercise.network_hash == fingerprint)
    sets = db.session().scalars(select(ProblemSet).where(ProblemSet.id.in_(holding),
                                                         ProblemSet.exam_mode.is_(True)))
    return REFUSAL if any(policy.exam_open(problem_set) for problem_set in sets) else None
