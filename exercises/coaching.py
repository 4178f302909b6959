"""The scoring rule of the coaching ladder's last rung: a field whose value was shown to the
student earns no credit in any attempt made after it was shown (its status, message and
follow-through for later fields stay as graded). ``submissions.submit`` applies it when
grading, and a regrade applies it again, so changing the tolerance never gives the credit back.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from exercises.models import Exercise, LadderStep

VALUE_RUNG = 3


def revealed_keys(sess, exercise_id: str) -> set[str]:
    """The fields of an exercise whose value has been shown."""
    return set(sess.scalars(select(LadderStep.key).where(LadderStep.exercise_id == exercise_id,
                                                         LadderStep.rung == VALUE_RUNG)))


def shown_in_set(sess, set_id: str) -> dict[str, list[tuple[str, datetime]]]:
    """Per variant of a set: each field whose value was shown, and when."""
    found: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    rows = sess.execute(select(LadderStep.exercise_id, LadderStep.key, LadderStep.created_at)
                        .join(Exercise, Exercise.id == LadderStep.exercise_id)
                        .where(Exercise.problem_set_id == set_id,
                               LadderStep.rung == VALUE_RUNG))
    for exercise_id, key, when in rows:
        found[exercise_id].append((key, when))
    return found


def without_shown_values(result, shown: set[str]):
    """A grading result with no credit for the ``shown`` fields."""
    if not shown & set(result.fields):
        return result
    return replace(result, fields={key: replace(grade, credit=0.0) if key in shown else grade
                                   for key, grade in result.fields.items()})


def withhold_in_report(report, shown: set[str]):
    """A regrade report whose new grades give no credit for the ``shown`` fields."""
    if not shown & set(report.new.fields):
        return report
    return replace(report, new=without_shown_values(report.new, shown),
                   fields={key: replace(change, new_credit=0.0) if key in shown else change
                           for key, change in report.fields.items()})
