"""The feedback of an exercise's latest graded attempt, as the exercise page shows it.

Read from the stored grades, so a reload (or coming back later) shows the same feedback. Only
what the student may see is read: never the expected values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from exercises import db
from exercises.grading.messages import render, shown
from exercises.models import Exercise, FieldGrade, Submission
from exercises.submissions import attempts_used
from exercises.web.labels import STATUSES, misconception


@dataclass
class FieldResult:
    """One field's grade: status, message and the misconceptions found, with explanations."""

    status: str
    status_label: str
    credit: float
    message: str
    submitted: str
    misconceptions: list[tuple[str, str, str]] = field(default_factory=list)  # id, title, text
    close_digits: int | None = None   # the precision diagnosis: close, keep this many figures


@dataclass
class Attempt:
    """A graded attempt with its per-field results and where the first wrong answer is."""

    number: int
    score: float
    max_score: float
    answers: dict[str, str]
    fields: dict[str, FieldResult]
    first_wrong: str | None = None
    first_wrong_index: int = 0


def attempts_left(exercise: Exercise) -> int | None:
    """Attempts still allowed, or None when unlimited."""
    limit = exercise.settings.get("attempts")
    return None if limit is None else max(limit - attempts_used(db.session(), exercise.id), 0)


def latest_attempt(exercise: Exercise) -> Attempt | None:
    """The exercise's latest graded attempt, or None before the first."""
    sess = db.session()
    submission = sess.execute(
        select(Submission.id, Submission.attempt, Submission.score, Submission.max_score,
               Submission.answers)
        .where(Submission.exercise_id == exercise.id)
        .order_by(Submission.attempt.desc()).limit(1)).first()
    if submission is None:
        return None
    show_misconceptions = exercise.settings.get("feedback", True)
    grades = sess.execute(
        select(FieldGrade.key, FieldGrade.status, FieldGrade.credit, FieldGrade.message,
               FieldGrade.message_parts, FieldGrade.submitted, FieldGrade.misconceptions)
        .where(FieldGrade.submission_id == submission.id)).all()
    results = {}
    for key, status, credit, message, parts, submitted, found in grades:
        if parts:  # stored as ids with parameters: in the reader's language
            message = render(shown(parts, show_misconceptions), _)
        results[key] = FieldResult(
            status=status, status_label=str(STATUSES.get(status, status)), credit=credit,
            message=message, submitted=submitted,
            misconceptions=[(m, *misconception(m)) for m in found] if show_misconceptions else [],
            close_digits=_precision_digits(parts))
    attempt = Attempt(number=submission.attempt, score=submission.score,
                      max_score=submission.max_score,
                      answers={k: "" if v is None else str(v)
                               for k, v in (submission.answers or {}).items()},
                      fields=results)
    for index, stored in enumerate(exercise.fields):
        result = results.get(stored["key"])
        if result is not None and result.status != "correct":
            attempt.first_wrong, attempt.first_wrong_index = stored["key"], index
            break
    return attempt


def _precision_digits(parts) -> int | None:
    """The digits to keep when the grader's diagnosis is precision (a rounded answer), else
    None; the page shows it as coaching rather than as a wrong formula."""
    for message_id, params in parts or ():
        if message_id == "precision":
            return int(params["digits"])
    return None


def summary(attempt: Attempt, symbols: dict[str, str]) -> str:
    """One sentence pointing at the first answer to look at, in computation order."""
    if attempt.first_wrong is None:
        return _("Every answer is correct.")
    symbol = symbols.get(attempt.first_wrong, attempt.first_wrong)
    if attempt.first_wrong_index == 0:
        return _("Start with %(symbol)s: it is the first answer that is not right yet.",
                 symbol=symbol)
    return _("Everything before %(symbol)s is right; %(symbol)s is the first answer to check.",
             symbol=symbol)
