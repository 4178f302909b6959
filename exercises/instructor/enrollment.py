"""Students joining sets: accounts made on first join, and variants handed out from the pools.

Handing out a variant is one UPDATE of a row that already exists, never a generation: each
exercise's free variants are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (concurrent
joins pass each other by) and under SQLite's BEGIN IMMEDIATE (joins queue briefly). The
student's enrollment row is upserted (and so locked) first, so two joins by the same student
(a double click) cannot both claim a variant of the same exercise; then one UPDATE claims a
variant of every exercise the student lacks. The write transaction holds just these two
statements; how many exercises are still missing is read after it.
"""
from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from exercises import accounts, db
from exercises.instructor import pool
from exercises.models import Enrollment, Exercise, ProblemSet, ProblemSetItem, User, new_id, utcnow


def signup(name: str, email: str, password: str) -> User:
    """A new student account, or the student's own when the email and password are theirs
    (``accounts.sign_up``); raises accounts.AccountError naming the field at fault."""
    return accounts.sign_up(email=email, name=name, password=password, role="student")


def join(problem_set: ProblemSet, user: User) -> tuple[Enrollment, int]:
    """Enroll a student (idempotent) and assign the variants they lack.

    Returns the enrollment and how many exercises still wait for a variant (0 unless a pool
    ran dry). Schedules a background top-up when a pool runs low. The write transaction holds
    two statements (the enrollment's upsert, which locks its row, and one UPDATE claiming a
    variant of every exercise the student lacks); what is only read runs after it.
    """
    if user.role != "student":
        raise PermissionError("only student accounts join problem sets")
    set_id, user_id, pool_size = problem_set.id, user.id, problem_set.pool_size
    with db.write_transaction() as sess:
        enrollment_id = _enroll(sess, set_id, user_id)
        _claim(sess, set_id, user_id)
    missing, low = db.session().execute(  # one round trip for both reads
        select(_MISSING.scalar_subquery(), pool.low_items(set_id, pool_size).exists()),
        {"set_id": set_id, "user_id": user_id}).one()
    if low:
        pool.schedule_top_up(set_id)
    return db.session().get(Enrollment, enrollment_id), missing


def assign_missing(problem_set: ProblemSet, user_id: str) -> int:
    """Assign variants an enrolled student still lacks (after a pool ran dry); returns how many
    exercises still wait."""
    set_id = problem_set.id
    with db.write_transaction() as sess:
        if _locked_enrollment(sess, set_id, user_id) is None:
            return 0
        _claim(sess, set_id, user_id)
    missing = _missing(set_id, user_id)
    if missing:
        pool.schedule_top_up(set_id)
    return missing


def assign_waiting(set_id: str) -> int:
    """Hand variants to every student of the set who still lacks some (their pool ran dry when
    they joined, or an exercise came back from retirement): run by the top-up job after it
    stored new variants, so that opening the set page never has to write. Schedules nothing;
    returns how many students still wait."""
    waiting = 0
    for user_id in db.session().scalars(select(Enrollment.user_id).where(
            Enrollment.problem_set_id == set_id)).all():
        if not _missing(set_id, user_id):
            continue
        with db.write_transaction() as sess:
            if _locked_enrollment(sess, set_id, user_id) is None:
                continue
            _claim(sess, set_id, user_id)
        waiting += _missing(set_id, user_id) > 0
    return waiting


def _locked_enrollment(sess, set_id: str, user_id: str) -> Enrollment | None:
    return sess.scalar(select(Enrollment).where(Enrollment.problem_set_id == set_id,
                                                Enrollment.user_id == user_id)
                       .with_for_update())


def _enroll(sess, set_id: str, user_id: str) -> str:
    """The student's enrollment id, the row made when missing and locked either way (an
    upsert whose no-op update takes the row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE
    serialises writers), so two joins by the same student (a double click) cannot both claim
    a variant of the same exercise."""
    dialect = sess.connection().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Enrollment)
    table = Enrollment.__table__
    statement = (upsert.values(id=new_id(), problem_set_id=set_id, user_id=user_id, joined_at=utcnow())
                 .on_conflict_do_update(index_elements=[table.c.problem_set_id, table.c.user_id],
                                        set_={"user_id": upsert.excluded.user_id})
                 .returning(table.c.id))
    return sess.execute(statement).scalar_one()


# The statements are built once (building a select of aliased tables costs SQLAlchemy more
# than running it) and take the set and the student as parameters.
_HELD, _FREE = aliased(Exercise, name="held"), aliased(Exercise, name="free")
_LACKING = (select(ProblemSetItem.id)
            .where(ProblemSetItem.problem_set_id == bindparam("set_id"),
                   ProblemSetItem.retired_at.is_(None),
                   ~select(_HELD.id).where(_HELD.item_id == ProblemSetItem.id,
                                           _HELD.user_id == bindparam("user_id")).exists()))
_FIRST_FREE = (select(_FREE.id)
               .where(_FREE.item_id == ProblemSetItem.id, _FREE.user_id.is_(None))
               .order_by(_FREE.variant_index).limit(1)
               .with_for_update(skip_locked=True).scalar_subquery())
# One free variant (the lowest-numbered) of every exercise the student has none of; an
# exercise whose pool is empty claims nothing.
_CLAIM = (update(Exercise)
          .where(Exercise.id.in_(_LACKING.with_only_columns(_FIRST_FREE)), Exercise.user_id.is_(None))
          .values(user_id=bindparam("user_id"), assigned_at=bindparam("now")))
_MISSING = select(func.count()).select_from(_LACKING.subquery())


def _claim(sess, set_id: str, user_id: str) -> None:
    """Claim a variant of every exercise the student lacks, in one statement."""
    sess.execute(_CLAIM, {"set_id": set_id, "user_id": user_id, "now": utcnow()},
                 execution_options={"synchronize_session": False})


def _missing(set_id: str, user_id: str) -> int:
    """How many exercises the student still lacks a variant of (their pools ran dry)."""
    return db.session().scalar(_MISSING, {"set_id": set_id, "user_id": user_id})
