"""What the instructor's pages and API read: each function answers one question the views ask
(the views build no SQL themselves)."""
from __future__ import annotations

from sqlalchemy import func, select

from exercises import db
from exercises.instructor import pool
from exercises.models import Enrollment, Exercise, ProblemSet, ProblemSetItem, SetMember, Submission, User


def problem_set(set_id: str) -> ProblemSet | None:
    """A problem set by id (None for an unknown id): callers check who may see it."""
    return db.session().get(ProblemSet, set_id)


def set_item(set_id: str, item_id: str) -> ProblemSetItem | None:
    """One exercise (item) of the set, None when unknown or another set's."""
    item = db.session().get(ProblemSetItem, item_id)
    return item if item is not None and item.problem_set_id == set_id else None


def set_variant(set_id: str, exercise_id: str) -> Exercise | None:
    """One stored variant of the set, None when unknown or another set's."""
    exercise = db.session().get(Exercise, exercise_id)
    return exercise if exercise is not None and exercise.problem_set_id == set_id else None


def user(user_id: str | None) -> User | None:
    """An account by id (None for None or an unknown id)."""
    return db.session().get(User, user_id) if user_id else None


def set_student(set_id: str, user_id: str) -> tuple[User, Enrollment] | None:
    """A student of the set with their enrollment, None unless they joined it."""
    found = user(user_id)
    enrollment = db.session().scalar(select(Enrollment).where(
        Enrollment.problem_set_id == set_id, Enrollment.user_id == user_id))
    return None if found is None or enrollment is None else (found, enrollment)


def student_count(set_id: str) -> int:
    """How many students joined the set."""
    return db.session().scalar(select(func.count()).select_from(Enrollment)
                               .where(Enrollment.problem_set_id == set_id))


def free_counts(set_id: str) -> dict[str, tuple[int, int]]:
    """Per item id of the set: (unassigned variants, next variant index) (``pool.free_counts``)."""
    return pool.free_counts(db.session(), set_id)


def exercises_by_id(exercise_ids: list[str]) -> dict[str, Exercise]:
    """The variants with these ids, by id."""
    return {e.id: e for e in db.session().scalars(select(Exercise).where(
        Exercise.id.in_(exercise_ids)))}


def attempts_by_variant(user_id: str, exercise_ids: list[str]) -> dict[str, list[Submission]]:
    """A student's graded attempts on each of these variants, oldest first."""
    grouped: dict[str, list[Submission]] = {}
    for submission in db.session().scalars(
            select(Submission).where(Submission.user_id == user_id,
                                     Submission.exercise_id.in_(exercise_ids))
            .order_by(Submission.attempt)):
        grouped.setdefault(submission.exercise_id, []).append(submission)
    return grouped


def stored_item_settings(item_id: str) -> dict | None:
    """The grading settings one stored variant of the item carries (None: no variant yet)."""
    return db.session().scalar(select(Exercise.settings).where(
        Exercise.item_id == item_id).limit(1))


def item_variants(item_id: str, offset: int, limit: int) -> list[Exercise]:
    """A page of an exercise's pool, in variant order."""
    return list(db.session().scalars(
        select(Exercise).where(Exercise.item_id == item_id).order_by(Exercise.variant_index)
        .offset(offset).limit(limit)))


def printed_variants(set_id: str, from_pool: bool, limit: int) -> list[tuple]:
    """The variants to print, as (variant, its item, its student's name or None): the students'
    by name then exercise order, or (``from_pool``) the unassigned ones by variant index."""
    query = (select(Exercise, ProblemSetItem, User.name)
             .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
             .outerjoin(User, User.id == Exercise.user_id)
             .where(Exercise.problem_set_id == set_id,
                    Exercise.user_id.is_(None) if from_pool else Exercise.user_id.is_not(None))
             .limit(limit))
    query = query.order_by(Exercise.variant_index, ProblemSetItem.position) if from_pool else \
        query.order_by(User.name, User.id, ProblemSetItem.position)
    return list(db.session().execute(query))


def dashboard_rows(user_id: str) -> list[tuple]:
    """The sets the instructor owns or teaches, newest first, as (set, students, role)."""
    students = (select(Enrollment.problem_set_id, func.count().label("n"))
                .group_by(Enrollment.problem_set_id).subquery())
    return list(db.session().execute(
        select(ProblemSet, func.coalesce(students.c.n, 0),
               func.coalesce(SetMember.role, "owner"))
        .outerjoin(students, students.c.problem_set_id == ProblemSet.id)
        .outerjoin(SetMember, (SetMember.problem_set_id == ProblemSet.id)
                   & (SetMember.user_id == user_id))
        .where((ProblemSet.owner_id == user_id) | SetMember.id.is_not(None))
        .order_by(ProblemSet.created_at.desc())).all())


def sets_page(user_id: str, page: int, per_page: int) -> tuple[int, list[tuple]]:
    """The API's list of the sets a user owns or teaches: (how many in all, one page of
    (set, role, students, counting exercises)), newest first."""
    sess = db.session()
    role = func.coalesce(SetMember.role, "owner")
    mine = ((ProblemSet.owner_id == user_id) | SetMember.id.is_not(None))
    joined = (select(func.count()).where(Enrollment.problem_set_id == ProblemSet.id)
              .correlate(ProblemSet).scalar_subquery())
    items = (select(func.count()).where(ProblemSetItem.problem_set_id == ProblemSet.id,
                                        ProblemSetItem.retired_at.is_(None))
             .correlate(ProblemSet).scalar_subquery())
    base = select(ProblemSet.id).outerjoin(SetMember, (SetMember.problem_set_id == ProblemSet.id)
                                           & (SetMember.user_id == user_id)).where(mine)
    total = sess.scalar(select(func.count()).select_from(base.subquery()))
    rows = sess.execute(
        select(ProblemSet, role, joined, items)
        .outerjoin(SetMember, (SetMember.problem_set_id == ProblemSet.id)
                   & (SetMember.user_id == user_id)).where(mine)
        .order_by(ProblemSet.created_at.desc(), ProblemSet.id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    return total, list(rows)
