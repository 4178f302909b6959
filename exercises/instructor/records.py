"""Changes an instructor makes for one student, each recorded with who, what and when:
due-date extensions, manual grade overrides and password resets."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from exercises import accounts, db
from exercises.instructor.policy import as_utc
from exercises.models import AuditEvent, Enrollment, GradeOverride, ProblemSet, ProblemSetItem, User


class RecordError(ValueError):
    """The change cannot be made as asked."""


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def extend(set_id: str, user_id: str, due_at: datetime | None, actor_id: str) -> None:
    """Give an enrolled student their own due date (None: back to the set's)."""
    with db.write_transaction() as sess:
        enrollment = sess.scalar(select(Enrollment).where(Enrollment.problem_set_id == set_id,
                                                          Enrollment.user_id == user_id)
                                 .with_for_update())
        if enrollment is None:
            raise RecordError(_("this student has not joined the set"))
        old = enrollment.due_at
        enrollment.due_at = due_at = as_utc(due_at)
        sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, subject_id=user_id,
                            action="extension", details={"old": _stamp(old),
                                                         "new": _stamp(due_at)}))


def override(set_id: str, user_id: str, item_id: str, score: float, reason: str,
             actor_id: str, max_score: int) -> None:
    """Set a student's score on one exercise by hand (0 to the exercise's maximum)."""
    if not 0 <= score <= max_score:
        raise RecordError(_("the score must be between 0 and %(max)s", max=max_score))
    with db.write_transaction() as sess:
        item = sess.get(ProblemSetItem, item_id)
        enrolled = sess.scalar(select(Enrollment.id).where(Enrollment.problem_set_id == set_id,
                                                           Enrollment.user_id == user_id))
        if item is None or item.problem_set_id != set_id or enrolled is None:
            raise RecordError(_("no such exercise or student in this set"))
        sess.add(GradeOverride(item_id=item_id, user_id=user_id, score=score,
                               reason=reason.strip(), created_by=actor_id))
        sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, subject_id=user_id,
                            action="override", details={"exercise": item.title,
                                                        "item_id": item_id, "score": score,
                                                        "reason": reason.strip()}))


def remove_override(set_id: str, user_id: str, item_id: str, actor_id: str) -> None:
    """Take a student's hand-set score on one exercise away (every override of it), so their
    best attempt counts again; recorded in the history."""
    with db.write_transaction() as sess:
        item = sess.get(ProblemSetItem, item_id)
        if item is None or item.problem_set_id != set_id:
            raise RecordError(_("no such exercise in this set"))
        removed = sess.scalars(select(GradeOverride).where(GradeOverride.item_id == item_id,
                                                           GradeOverride.user_id == user_id)
                               .order_by(GradeOverride.created_at)).all()
        if not removed:
            raise RecordError(_("this score was not set by hand"))
        for override_ in removed:
            sess.delete(override_)
        sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, subject_id=user_id,
                            action="override_removed",
                            details={"exercise": item.title, "item_id": item_id,
                                     "score": removed[-1].score}))


def may_reset_password(instructor_id: str, student_id: str) -> bool:
    """Whether an instructor may set a student's password: only when every set the student
    is in is the instructor's own. Otherwise another course's instructor could take the
    account over and submit in their set; such a student resets their own password, or an
    administrator does (``flask reset-password``)."""
    elsewhere = db.session().scalar(
        select(func.count()).select_from(Enrollment)
        .join(ProblemSet, ProblemSet.id == Enrollment.problem_set_id)
        .where(Enrollment.user_id == student_id, ProblemSet.owner_id != instructor_id))
    return elsewhere == 0


def reset_password(user_id: str, password: str, actor_id: str | None,
                   set_id: str | None = None) -> User:
    """Set a new password for a user and end their sessions; ``actor_id`` None means a
    command-line reset. Raises RecordError saying why the password is refused."""
    problem = accounts.password_problem(password)
    if problem:
        raise RecordError(problem)
    password_hash = generate_password_hash(password)
    with db.write_transaction() as sess:
        user = sess.get(User, user_id)
        if user is None:
            raise RecordError(_("no such user"))
        user.password_hash = password_hash
        accounts.end_sessions(sess, user_id)
        sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, subject_id=user_id,
                            action="password_reset", details={"email": user.email}))
    return user


def history(set_id: str, subject_id: str | None = None) -> list[tuple[AuditEvent, str, str]]:
    """A set's audit events, newest first, with the actor's and the subject's names."""
    actor, subject = User.__table__.alias("actor"), User.__table__.alias("subject")
    query = (select(AuditEvent, actor.c.name, subject.c.name)
             .outerjoin(actor, actor.c.id == AuditEvent.actor_id)
             .outerjoin(subject, subject.c.id == AuditEvent.subject_id)
             .where(AuditEvent.problem_set_id == set_id)
             .order_by(AuditEvent.created_at.desc()))
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    return [(event, actor_name or "command line", subject_name or "")
            for event, actor_name, subject_name in db.session().execute(query)]
