"""The gradebook of a set, computed from the stored submissions.

An exercise's score is its best graded attempt (SPEC §6), in points (``points.py``), unless
the instructor overrode it; the newest override counts. (Statistics: ``statistics.py``.)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from .. import db
from ..models import (Enrollment, Exercise, FieldGrade, GradeOverride, ProblemSet,
                      ProblemSetItem, Submission, User)
from . import points, pool


@dataclass
class Cell:
    """One student's result on one exercise."""

    exercise_id: str | None
    max_score: float                # the item's points
    attempts: int = 0
    best: float | None = None       # the best graded attempt's points
    override: float | None = None   # the instructor's score, when they set one

    @property
    def score(self) -> float | None:
        """The score that counts."""
        return self.override if self.override is not None else self.best


@dataclass(frozen=True)
class Student:
    """Who a gradebook row is about."""

    id: str
    name: str
    email: str


@dataclass(frozen=True)
class Enrolled:
    """What a gradebook row needs of the student's enrollment."""

    due_at: datetime | None


@dataclass
class Row:
    """A student's line of the gradebook."""

    user: Student
    enrollment: Enrolled
    cells: list[Cell]

    @property
    def total(self) -> float:
        """The sum of the scores that count (a missing score counts 0)."""
        return sum(cell.score or 0.0 for cell in self.cells)


@dataclass
class Gradebook:
    """Students × exercises."""

    items: list[ProblemSetItem]
    max_scores: list[float]
    rows: list[Row]

    @property
    def max_total(self) -> float:
        """The most points the set gives."""
        return sum(self.max_scores)


def item_fields(set_id: str) -> dict[str, list[dict]]:
    """The fields of each exercise of a set (every variant of an exercise has the same keys)."""
    fields: dict[str, list[dict]] = {}
    for item in pool.set_items(set_id):  # one variant each: a pool holds a thousand
        first = db.session().scalar(select(Exercise.fields).where(Exercise.item_id == item.id)
                                    .order_by(Exercise.variant_index).limit(1))
        if first is not None:
            fields[item.id] = first
    return fields


def latest_overrides(set_id: str) -> dict[tuple[str, str], float]:
    """The newest override of each (item id, student id) of a set."""
    rows = db.session().execute(
        select(GradeOverride.item_id, GradeOverride.user_id, GradeOverride.score)
        .join(ProblemSetItem, ProblemSetItem.id == GradeOverride.item_id)
        .where(ProblemSetItem.problem_set_id == set_id).order_by(GradeOverride.created_at))
    return {(item_id, user_id): score for item_id, user_id, score in rows}


def gradebook(problem_set: ProblemSet, user_id: str | None = None) -> Gradebook:
    """The set's gradebook, or only one student's row when ``user_id`` is given."""
    sess = db.session()
    items = pool.set_items(problem_set.id)
    fields = item_fields(problem_set.id)
    max_scores = [item.points for item in items]
    # plain columns, not ORM objects: a class of a thousand is read in one light query
    query = (select(User.id, User.name, User.email, Enrollment.due_at)
             .join(Enrollment, Enrollment.user_id == User.id)
             .where(Enrollment.problem_set_id == problem_set.id).order_by(User.name, User.email))
    if user_id is not None:
        query = query.where(User.id == user_id)
    students = sess.execute(query).all()
    variants = sess.execute(
        select(Exercise.id, Exercise.item_id, Exercise.user_id, func.count(Submission.id),
               func.max(Submission.score))
        .outerjoin(Submission, Submission.exercise_id == Exercise.id)
        .where(Exercise.problem_set_id == problem_set.id, Exercise.user_id.is_not(None))
        .group_by(Exercise.id, Exercise.item_id, Exercise.user_id))
    # points of an even split: score × points / fields, multiplied first so a full score is
    # exactly the item's points
    even = {item.id: (item.points, len(fields[item.id])) for item in items
            if points.is_even(item) and fields.get(item.id)}
    weighted = _weighted_best(problem_set.id, items, fields)
    held = {}
    for ex_id, item_id, owner, n, best in variants:
        if best is not None:
            best = best * even[item_id][0] / even[item_id][1] if item_id in even \
                else weighted.get(ex_id)
        held[(item_id, owner)] = (ex_id, n or 0, best)
    overrides = latest_overrides(problem_set.id)
    rows = []
    item_ids = [item.id for item in items]
    for student_id, name, email, due_at in students:
        cells = []
        for item_id, max_score in zip(item_ids, max_scores):
            ex_id, n, best = held.get((item_id, student_id), (None, 0, None))
            cells.append(Cell(ex_id, max_score, n, best, overrides.get((item_id, student_id))))
        rows.append(Row(Student(student_id, name, email), Enrolled(due_at), cells))
    return Gradebook(items, max_scores, rows)


def _weighted_best(set_id: str, items: list[ProblemSetItem],
                   fields: dict[str, list[dict]]) -> dict[str, float]:
    """The best attempt's points of each variant of the items whose fields are not all worth
    the same (a weighted sum of field credits, computed in the database)."""
    best: dict[str, float] = {}
    for item in items:
        if points.is_even(item) or not fields.get(item.id):
            continue
        keys = [f["key"] for f in fields[item.id]]
        weights = points.field_weights(keys, item.points, item.field_points)
        weight = case(*((FieldGrade.key == key, value) for key, value in weights.items()),
                      else_=0.0)
        per_attempt = (select(Submission.exercise_id,
                              func.sum(FieldGrade.credit * weight).label("points"))
                       .join(FieldGrade, FieldGrade.submission_id == Submission.id)
                       .join(Exercise, Exercise.id == Submission.exercise_id)
                       .where(Exercise.item_id == item.id)
                       .group_by(Submission.id, Submission.exercise_id).subquery())
        # rounded, so shares like 8/12 that add up to a whole read as that whole
        best.update((ex_id, round(value, 9)) for ex_id, value in db.session().execute(
            select(per_attempt.c.exercise_id, func.max(per_attempt.c.points))
            .group_by(per_attempt.c.exercise_id)))
    return best


def student_sets(user_id: str) -> list[tuple[ProblemSet, Enrollment]]:
    """The published sets a student has joined, newest first."""
    return db.session().execute(
        select(ProblemSet, Enrollment).join(Enrollment, Enrollment.problem_set_id == ProblemSet.id)
        .where(Enrollment.user_id == user_id, ProblemSet.status == "published")
        .order_by(Enrollment.joined_at.desc())).all()
