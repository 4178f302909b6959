"""Students joining sets: accounts made on first join, and variants handed out from the pools.

Handing out a variant is one UPDATE of a row that already exists, never a generation: each
exercise's free variants are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (concurrent
joins pass each other by) and under SQLite's BEGIN IMMEDIATE (joins queue briefly). The
student's enrollment row is locked first, so two joins by the same student (a double click)
cannot both claim a variant of the same exercise.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import accounts, db
from ..models import Enrollment, Exercise, ProblemSet, ProblemSetItem, User, utcnow
from . import pool


def signup(name: str, email: str, password: str) -> User:
    """A new student account, or the student's own when the email and password are theirs
    (``accounts.sign_up``); raises accounts.AccountError naming the field at fault."""
    return accounts.sign_up(email=email, name=name, password=password, role="student")


def join(problem_set: ProblemSet, user: User) -> tuple[Enrollment, int]:
    """Enroll a student (idempotent) and assign the variants they lack.

    Returns the enrollment and how many exercises still wait for a variant (0 unless a pool
    ran dry). Schedules a background top-up when a pool runs low.
    """
    if user.role != "student":
        raise PermissionError("only student accounts join problem sets")
    set_id, user_id, pool_size = problem_set.id, user.id, problem_set.pool_size
    for retry in (False, True):
        try:
            with db.write_transaction() as sess:
                enrollment = _locked_enrollment(sess, set_id, user_id)
                if enrollment is None:
                    enrollment = Enrollment(problem_set_id=set_id, user_id=user_id)
                    sess.add(enrollment)
                    sess.flush()
                missing = _assign(sess, set_id, user_id)
            break
        except IntegrityError:
            if retry:
                raise
            # A concurrent join by the same student made the enrollment first: run again.
    if pool.runs_low(set_id, pool_size):
        pool.schedule_top_up(set_id)
    return enrollment, missing


def assign_missing(problem_set: ProblemSet, user_id: str) -> int:
    """Assign variants an enrolled student still lacks (after a pool ran dry); returns how many
    exercises still wait."""
    set_id = problem_set.id
    with db.write_transaction() as sess:
        if _locked_enrollment(sess, set_id, user_id) is None:
            return 0
        missing = _assign(sess, set_id, user_id)
    if missing:
        pool.schedule_top_up(set_id)
    return missing


def _locked_enrollment(sess, set_id: str, user_id: str) -> Enrollment | None:
    return sess.scalar(select(Enrollment).where(Enrollment.problem_set_id == set_id,
                                                Enrollment.user_id == user_id)
                       .with_for_update())


def _assign(sess, set_id: str, user_id: str) -> int:
    """Claim one free variant of every exercise the student has none of; returns how many
    exercises found their pool empty."""
    held = select(Exercise.id).where(Exercise.item_id == ProblemSetItem.id,
                                     Exercise.user_id == user_id)
    lacking = sess.scalars(select(ProblemSetItem.id)
                           .where(ProblemSetItem.problem_set_id == set_id, ~held.exists())
                           .order_by(ProblemSetItem.position)).all()
    missing = 0
    for item_id in lacking:  # one statement a claim: the write lock is held for every one
        free = (select(Exercise.id)
                .where(Exercise.item_id == item_id, Exercise.user_id.is_(None))
                .order_by(Exercise.variant_index).limit(1)
                .with_for_update(skip_locked=True).scalar_subquery())
        claimed = sess.execute(update(Exercise).where(Exercise.id == free)
                               .values(user_id=user_id, assigned_at=utcnow()),
                               execution_options={"synchronize_session": False})
        missing += claimed.rowcount == 0
    return missing
