"""What the student's problem-set pages read (the views ask; they build no SQL themselves)."""
from __future__ import annotations

from sqlalchemy import select

from exercises import db
from exercises.models import Exercise, ProblemSetItem, Submission


def attempt_history(exercise_id: str) -> list[Submission]:
    """A variant's graded attempts, oldest first."""
    return list(db.session().scalars(select(Submission).where(
        Submission.exercise_id == exercise_id).order_by(Submission.attempt)))


def item_title(exercise: Exercise) -> str | None:
    """The title of the set's exercise (item) a variant belongs to, None for no item."""
    item = db.session().get(ProblemSetItem, exercise.item_id) if exercise.item_id else None
    return None if item is None else item.title


def own_submission(submission_id: str, user_id: str) -> Submission | None:
    """One of the student's graded attempts, None when unknown or someone else's."""
    record = db.session().get(Submission, submission_id)
    return record if record is not None and record.user_id == user_id else None
