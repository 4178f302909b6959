"""The gradebook of a set, computed from the stored submissions.

An exercise's score is its best graded attempt (SPEC §6), in points (``points.py``), unless
the instructor overrode it; the newest override counts. Under a late-penalty rule an attempt
made after the student's due date counts its points less the penalty of its day
(``policy.late_percent``), and the best of the attempts so reduced is the score. A retired
exercise keeps its scores in the gradebook but counts in no total. (Statistics:
``statistics.py``.)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, literal, null, select

from exercises import db
from exercises.instructor import points, pool
from exercises.instructor.policy import late_percent
from exercises.models import (
    Enrollment,
    Exercise,
    FieldGrade,
    GradeOverride,
    ProblemSet,
    ProblemSetItem,
    Submission,
    Timestamp,
    User,
)


@dataclass
class Cell:
    """One student's result on one exercise."""

    exercise_id: str | None
    max_score: float                # the item's points
    attempts: int = 0
    best: float | None = None       # the best graded attempt's points
    override: float | None = None   # the instructor's score, when they set one
    late: float = 0.0               # percent the late penalty took off the best attempt
    retired: bool = False           # the exercise was retired: it counts in no total

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
        """The sum of the scores that count (a missing score counts 0; a retired exercise's
        score does not count)."""
        return sum(cell.score or 0.0 for cell in self.cells if not cell.retired)


@dataclass
class Gradebook:
    """Students × exercises."""

    items: list[ProblemSetItem]
    max_scores: list[float]
    rows: list[Row]

    @property
    def max_total(self) -> float:
        """The most points the set gives (its exercises that are not retired)."""
        return sum(m for item, m in zip(self.items, self.max_scores) if item.retired_at is None)


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
    penalised = bool(problem_set.late_per_day)
    query = (select(Exercise.id, Exercise.item_id, Exercise.user_id, func.count(Submission.id),
                    func.max(case((_late(problem_set), None), else_=Submission.score)
                             if penalised
                             else Submission.score))
             .outerjoin(Submission, Submission.exercise_id == Exercise.id)
             .where(Exercise.problem_set_id == problem_set.id, Exercise.user_id.is_not(None))
             .group_by(Exercise.id, Exercise.item_id, Exercise.user_id))
    if penalised:
        query = query.outerjoin(Enrollment, and_(Enrollment.problem_set_id == problem_set.id,
                                                 Enrollment.user_id == Exercise.user_id))
    if user_id is not None:
        query = query.where(Exercise.user_id == user_id)
    # points of an even split: score × points / fields, multiplied first so a full score is
    # exactly the item's points
    even = {item.id: (item.points, len(fields[item.id])) for item in items
            if points.is_even(item) and fields.get(item.id)}
    late_rows = _late_attempts(problem_set, user_id) if penalised else []
    late_ids = [row.id for row in late_rows]
    weighted = _weighted_best(problem_set.id, items, fields, late_ids)
    held = {}
    for ex_id, item_id, owner, n, best in sess.execute(query):
        if best is not None:
            best = best * even[item_id][0] / even[item_id][1] if item_id in even \
                else weighted.get(ex_id)
        held[(item_id, owner)] = [ex_id, n or 0, best, 0.0]
    if late_rows:
        late_points = _weighted_attempts(items, fields, late_ids)
        for row in late_rows:
            got = row.score * even[row.item_id][0] / even[row.item_id][1] \
                if row.item_id in even else late_points.get(row.id, 0.0)
            percent = late_percent(problem_set, row.due, row.created_at)
            reduced = round(got * (100.0 - percent) / 100.0, 9)
            entry = held[(row.item_id, row.user_id)]
            if entry[2] is None or reduced > entry[2]:
                entry[2], entry[3] = reduced, percent
    overrides = latest_overrides(problem_set.id)
    rows = []
    item_ids = [item.id for item in items]
    retired = {item.id for item in items if item.retired_at is not None}
    for student_id, name, email, due_at in students:
        cells = []
        for item_id, max_score in zip(item_ids, max_scores):
            ex_id, n, best, late_ = held.get((item_id, student_id), (None, 0, None, 0.0))
            cells.append(Cell(ex_id, max_score, n, best, overrides.get((item_id, student_id)),
                              late_, item_id in retired))
        rows.append(Row(Student(student_id, name, email), Enrolled(due_at), cells))
    return Gradebook(items, max_scores, rows)


def _due(problem_set: ProblemSet):
    """A SQL expression of a student's due date: their extension, else the set's (joined with
    their Enrollment)."""
    return func.coalesce(Enrollment.due_at, literal(problem_set.due_at, Timestamp)
                         if problem_set.due_at else null())


def _late(problem_set: ProblemSet):
    """A SQL condition: the submission was made after its student's due date."""
    return Submission.created_at > _due(problem_set)


def _late_attempts(problem_set: ProblemSet, user_id: str | None) -> list:
    """The set's attempts made after their student's due date: id, item id, user id, score,
    when, and that due date."""
    query = (select(Submission.id, Exercise.item_id, Exercise.user_id, Submission.score,
                    Submission.created_at, _due(problem_set).label("due"))
             .join(Exercise, Exercise.id == Submission.exercise_id)
             .join(Enrollment, and_(Enrollment.problem_set_id == problem_set.id,
                                    Enrollment.user_id == Exercise.user_id))
             .where(Exercise.problem_set_id == problem_set.id, _late(problem_set)))
    if user_id is not None:
        query = query.where(Exercise.user_id == user_id)
    return db.session().execute(query).all()


def _weight(item: ProblemSetItem, fields: dict[str, list[dict]]):
    """A SQL expression of a field grade's points in ``item`` (its credit × its weight)."""
    keys = [f["key"] for f in fields[item.id]]
    weights = points.field_weights(keys, item.points, item.field_points)
    return FieldGrade.credit * case(*((FieldGrade.key == key, value)
                                      for key, value in weights.items()), else_=0.0)


def _weighted_best(set_id: str, items: list[ProblemSetItem], fields: dict[str, list[dict]],
                   leaving_out: list[str] = ()) -> dict[str, float]:
    """The best attempt's points of each variant of the items whose fields are not all worth
    the same (a weighted sum of field credits, computed in the database), of the attempts not
    in ``leaving_out`` (late ones, which count with their penalty)."""
    best: dict[str, float] = {}
    for item in items:
        if points.is_even(item) or not fields.get(item.id):
            continue
        per_attempt = (select(Submission.exercise_id,
                              func.sum(_weight(item, fields)).label("points"))
                       .join(FieldGrade, FieldGrade.submission_id == Submission.id)
                       .join(Exercise, Exercise.id == Submission.exercise_id)
                       .where(Exercise.item_id == item.id)
                       .group_by(Submission.id, Submission.exercise_id))
        if leaving_out:
            per_attempt = per_attempt.where(Submission.id.not_in(leaving_out))
        per_attempt = per_attempt.subquery()
        # rounded, so shares like 8/12 that add up to a whole read as that whole
        best.update((ex_id, round(value, 9)) for ex_id, value in db.session().execute(
            select(per_attempt.c.exercise_id, func.max(per_attempt.c.points))
            .group_by(per_attempt.c.exercise_id)))
    return best


def _weighted_attempts(items: list[ProblemSetItem], fields: dict[str, list[dict]],
                       submission_ids: list[str]) -> dict[str, float]:
    """The points of each of ``submission_ids`` in an item whose fields are weighted."""
    found: dict[str, float] = {}
    for item in items:
        if points.is_even(item) or not fields.get(item.id) or not submission_ids:
            continue
        found.update((sub_id, round(value, 9)) for sub_id, value in db.session().execute(
            select(Submission.id, func.sum(_weight(item, fields)))
            .join(FieldGrade, FieldGrade.submission_id == Submission.id)
            .join(Exercise, Exercise.id == Submission.exercise_id)
            .where(Exercise.item_id == item.id, Submission.id.in_(submission_ids))
            .group_by(Submission.id)))
    return found


def student_sets(user_id: str) -> list[tuple[ProblemSet, Enrollment]]:
    """The published sets a student has joined, newest first."""
    return db.session().execute(
        select(ProblemSet, Enrollment).join(Enrollment, Enrollment.problem_set_id == ProblemSet.id)
        .where(Enrollment.user_id == user_id, ProblemSet.status == "published")
        .order_by(Enrollment.joined_at.desc())).all()
