"""The rows of "My practice": this browser's practice exercises and where each stands (not
started, a draft saved, attempts made, or all correct, with the best score)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from exercises import db
from exercises.models import Draft, Exercise, LadderStep, Submission
from exercises.web.practice_form import heading

LIMIT = 200   # the most recent exercises listed


@dataclass
class PracticeRow:
    """One started exercise as the list shows it."""

    exercise_id: str
    title: str
    started: datetime
    status: str
    attempts: int
    best: float | None
    max_score: int
    hints: int


def _status(attempts: int, best: float | None, max_score: int, draft: bool) -> str:
    if attempts and best is not None and best >= max_score:
        return _("All correct")
    if draft:
        return _("Answers saved, not checked")
    if attempts:
        return _("In progress")
    return _("Not started")


def practice_rows(browser_key: str | None) -> list[PracticeRow]:
    """This browser's practice exercises, newest first."""
    if not browser_key:
        return []
    sess = db.session()
    exercises = sess.scalars(select(Exercise).where(
        Exercise.kind == "practice", Exercise.browser_key == browser_key)
        .order_by(Exercise.created_at.desc()).limit(LIMIT)).all()
    ids = [e.id for e in exercises]
    scores = {row[0]: row[1:] for row in sess.execute(
        select(Submission.exercise_id, func.count(), func.max(Submission.score))
        .where(Submission.exercise_id.in_(ids)).group_by(Submission.exercise_id))}
    drafts = set(sess.scalars(select(Draft.exercise_id).where(Draft.exercise_id.in_(ids))))
    hints = dict(sess.execute(select(LadderStep.exercise_id, func.count())
                              .where(LadderStep.exercise_id.in_(ids))
                              .group_by(LadderStep.exercise_id)).all())
    rows = []
    for exercise in exercises:
        attempts, best = scores.get(exercise.id, (0, None))
        total = len(exercise.fields)
        rows.append(PracticeRow(
            exercise_id=exercise.id, title=heading(exercise.template_id, exercise.template)[0],
            started=exercise.created_at, attempts=attempts, best=best, max_score=total,
            status=_status(attempts, best, total, exercise.id in drafts),
            hints=hints.get(exercise.id, 0)))
    return rows
