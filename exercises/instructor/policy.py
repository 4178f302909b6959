"""When a student may submit and see a solution, and when an exam is open.

A student's due date is their extension when the instructor gave one, else the set's. Every
time is stored and shown in UTC; SQLite hands timestamps back without a time zone, and
PostgreSQL in its session's zone, so ``as_utc`` puts every one in UTC before it is compared.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from .. import db
from ..models import Enrollment, Exercise, ProblemSet, Submission, utcnow


def as_utc(moment: datetime | None) -> datetime | None:
    """A timestamp as an aware UTC datetime (None stays None): a naive one is read as UTC
    (SQLite's, and the forms' datetime-local fields, which say UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def form_time(moment: datetime | None) -> datetime | None:
    """A stored timestamp as the naive UTC wall time a datetime-local field shows."""
    return None if moment is None else as_utc(moment).replace(tzinfo=None)


def shown(moment: datetime | None, seconds: bool = False) -> str:
    """A timestamp as people read it, in UTC (a dash for none)."""
    if moment is None:
        return "—"
    return as_utc(moment).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def due_for(problem_set: ProblemSet, enrollment: Enrollment | None) -> datetime | None:
    """The due date that applies to a student: their extension, else the set's."""
    if enrollment is not None and enrollment.due_at is not None:
        return as_utc(enrollment.due_at)
    return as_utc(problem_set.due_at)


def past_due(problem_set: ProblemSet, enrollment: Enrollment | None) -> bool:
    """Whether the student's due date has passed."""
    due = due_for(problem_set, enrollment)
    return due is not None and utcnow() >= due


def submit_refusal(problem_set: ProblemSet, enrollment: Enrollment) -> str | None:
    """Why a student may not submit to the set now, or None when they may."""
    if problem_set.status != "published":
        return "this problem set is not open"
    if past_due(problem_set, enrollment):
        return "the due date has passed; no more submissions are accepted"
    return None


def attempt_summary(exercise_id: str) -> tuple[int, bool]:
    """(graded attempts, whether any attempt scored full marks) for an exercise."""
    used, best = db.session().execute(
        select(func.count(Submission.id), func.max(Submission.score - Submission.max_score))
        .where(Submission.exercise_id == exercise_id)).one()
    return used, best is not None and best >= 0


def solution_visible(exercise: Exercise, problem_set: ProblemSet,
                     enrollment: Enrollment | None) -> bool:
    """Whether the set's reveal policy lets the student see this variant's worked solution."""
    reveal = exercise.settings.get("reveal", "never")
    if reveal == "always":
        return True
    if reveal == "after_due":
        # after the last due date of the set, extensions included: a worked solution shown
        # to one student would reach a classmate who may still submit
        last = latest_due(problem_set)
        return last is not None and utcnow() >= last
    if reveal in ("after_correct", "after_attempts"):
        used, solved = attempt_summary(exercise.id)
        if reveal == "after_correct":
            return solved
        limit = exercise.settings.get("attempts")
        return limit is not None and used >= limit
    return False


def latest_due(problem_set: ProblemSet) -> datetime | None:
    """The last moment any student of the set may still submit (None: no due date)."""
    if problem_set.due_at is None:
        return None
    extended = db.session().scalar(select(func.max(Enrollment.due_at))
                                   .where(Enrollment.problem_set_id == problem_set.id))
    return max(d for d in (as_utc(problem_set.due_at), as_utc(extended)) if d is not None)


def exam_open(problem_set: ProblemSet) -> bool:
    """Whether a set in exam mode is open: published and before every student's due date.

    An exam without a due date stays open until the instructor turns exam mode off.
    """
    if not problem_set.exam_mode or problem_set.status != "published":
        return False
    due = latest_due(problem_set)
    return due is None or utcnow() < due
